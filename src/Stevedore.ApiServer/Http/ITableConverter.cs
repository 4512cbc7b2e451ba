using System.Text.Json.Nodes;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Http;

/// <summary>Turns objects into a <c>meta.k8s.io/v1 Table</c> with the kind's printer columns.</summary>
public interface ITableConverter
{
    /// <param name="includeObject">"None", "Metadata" (default) or "Object".</param>
    JsonObject ToTable(ApiResource resource, IReadOnlyList<JsonObject> objects, string? resourceVersion, string? continueToken,
        long? remainingItemCount, string includeObject, DateTimeOffset now);
}
