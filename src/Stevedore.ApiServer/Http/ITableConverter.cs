using System.Text.Json.Nodes;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Http;

/// <summary>Turns objects into a <c>meta.k8s.io/v1 Table</c> with the kind's printer columns.</summary>
public interface ITableConverter
{
    /// <summary>Validates the includeObject query value ("None", "Metadata" — the default — or "Object").</summary>
    void CheckIncludeObject(string? includeObject);

    JsonObject ToTable(ApiResource resource, IReadOnlyList<JsonObject> objects, string? resourceVersion, string? continueToken,
        long? remainingItemCount, string includeObject, DateTimeOffset now);

    /// <summary>One watch event's table: column definitions only on the first event.</summary>
    JsonObject ToWatchTable(ApiResource resource, JsonObject obj, string includeObject, DateTimeOffset now, bool withHeaders);
}
