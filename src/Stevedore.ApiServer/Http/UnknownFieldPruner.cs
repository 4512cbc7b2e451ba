using System.Globalization;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Http;

/// <summary>Removes one field addressed by a path such as <c>.spec.template.spec.containers[0].bogus</c>.</summary>
public static class UnknownFieldPruner
{
    public static void Remove(JsonObject root, string path)
    {
        var segments = Parse(path);
        JsonNode? node = root;
        for (var i = 0; i < segments.Count - 1 && node is not null; i++)
        {
            node = segments[i] switch
            {
                (string key, null) => (node as JsonObject)?[key],
                (string key, int index) => (node as JsonObject)?[key] is JsonArray array && index < array.Count ? array[index] : null,
                _ => null,
            };
        }

        if (node is JsonObject parent && segments.Count > 0)
        {
            var (lastKey, lastIndex) = segments[^1];
            if (lastIndex is null)
            {
                parent.Remove(lastKey);
            }
        }
    }

    private static List<(string Key, int? Index)> Parse(string path)
    {
        var result = new List<(string, int?)>();
        foreach (var part in path.TrimStart('.').Split('.'))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket > 0 && part.EndsWith(']') && int.TryParse(part[(bracket + 1)..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                result.Add((part[..bracket], index));
            }
            else
            {
                result.Add((part, null));
            }
        }

        return result;
    }
}
