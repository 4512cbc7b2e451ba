using System.Text.Json.Nodes;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Hosting;

/// <summary>Table output with each kind's printer columns.</summary>
public sealed class BuiltInTableConverter : ITableConverter
{
    public JsonObject ToTable(ApiResource resource, IReadOnlyList<JsonObject> objects, string? resourceVersion, string? continueToken, long? remainingItemCount, string includeObject, DateTimeOffset now)
    {
        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var meta = obj["metadata"] as JsonObject;
            var row = new JsonObject { ["cells"] = new JsonArray(meta?["name"]?.ToString(), meta?["creationTimestamp"]?.ToString()) };
            if (includeObject == "Object")
            {
                row["object"] = obj.DeepClone();
            }
            else if (includeObject != "None")
            {
                row["object"] = new JsonObject { ["kind"] = "PartialObjectMetadata", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = meta?.DeepClone() };
            }

            rows.Add(row);
        }

        var listMeta = new JsonObject();
        if (resourceVersion is not null)
        {
            listMeta["resourceVersion"] = resourceVersion;
        }

        if (continueToken is not null)
        {
            listMeta["continue"] = continueToken;
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = listMeta,
            ["columnDefinitions"] = new JsonArray(
                new JsonObject { ["name"] = "Name", ["type"] = "string", ["format"] = "name", ["description"] = "Name", ["priority"] = 0 },
                new JsonObject { ["name"] = "Created At", ["type"] = "date", ["format"] = "", ["description"] = "CreationTimestamp", ["priority"] = 0 }),
            ["rows"] = rows,
        };
    }
}
