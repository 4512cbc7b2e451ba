using System.Text.Json.Nodes;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Registry;

/// <summary>The outcome of a server-side apply: the merged object, or the conflicts that stopped it.</summary>
public sealed record ApplyResult(JsonObject? Object, IReadOnlyList<string> ConflictMessages, string? ConflictSummary);

/// <summary>
/// Patch and field-ownership logic used by the registry: JSON / merge / strategic merge
/// patch, server-side apply, and managedFields bookkeeping for ordinary writes.
/// </summary>
public interface IPatchEngine
{
    /// <summary>Applies a non-apply patch; <paramref name="contentType"/> is the request's media type.</summary>
    JsonObject Patch(string contentType, JsonObject current, JsonNode patch, ApiResource resource);

    ApplyResult Apply(JsonObject? live, JsonObject applied, string manager, bool force, ApiResource resource, DateTimeOffset now);

    /// <summary>Records in managedFields which fields <paramref name="manager"/> set by this write.</summary>
    void TrackWrite(JsonObject? oldObj, JsonObject newObj, string manager, string operation, string? subresource, ApiResource resource, DateTimeOffset now);
}
