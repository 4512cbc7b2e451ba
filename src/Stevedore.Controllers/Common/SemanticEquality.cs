using System.Text.Json.Nodes;
using k8s;

namespace Stevedore.Controllers.Common;

/// <summary>
/// Equality of API values as the server stores them: an absent field, a null and an empty list
/// or map are the same (the wire drops them), so a controller comparing what it wants with what
/// it read never writes a change that is no change.
/// </summary>
public static class SemanticEquality
{
    public static bool Equal<T>(T? a, T? b) => JsonNode.DeepEquals(Normalize(a), Normalize(b));

    private static JsonNode? Normalize<T>(T? value) => value is null ? null : Strip(JsonNode.Parse(KubernetesJson.Serialize(value)));

    private static JsonNode? Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, child) in obj)
                {
                    if (Strip(child) is { } stripped)
                    {
                        result[key] = stripped;
                    }
                }

                return result.Count == 0 ? null : result;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var child in array)
                {
                    items.Add(Strip(child) ?? new JsonObject());
                }

                return items.Count == 0 ? null : items;
            default:
                return node?.DeepClone();
        }
    }
}
