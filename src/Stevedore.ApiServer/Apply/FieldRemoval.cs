using System.Text.Json.Nodes;
using Stevedore.ApiServer.Schema;

namespace Stevedore.ApiServer.Apply;

/// <summary>Removes the node a <see cref="FieldPath"/> names from a JSON object.</summary>
internal static class FieldRemoval
{
    /// <summary>Removes the node at <paramref name="path"/>; then drops objects left empty by it
    /// that nobody owns (<paramref name="owned"/> holds owned paths and their ancestors).</summary>
    public static bool Remove(JsonObject root, FieldPath path, HashSet<FieldPath> owned)
    {
        if (path.Depth == 0)
        {
            return false;
        }

        var chain = new List<JsonNode> { root };
        JsonNode? current = root;
        foreach (var element in path.Elements.Take(path.Depth - 1))
        {
            current = Step(current, element);
            if (current is null)
            {
                return false;
            }

            chain.Add(current);
        }

        if (!RemoveChild(chain[^1], path.Elements[^1]))
        {
            return false;
        }

        // Walk up: an object emptied by the removal goes too, unless someone owns it or it is top level.
        for (var depth = chain.Count - 1; depth >= 2; depth--)
        {
            var parentPath = new FieldPath(path.Elements.Take(depth));
            if (chain[depth] is not JsonObject { Count: 0 } || owned.Contains(parentPath) || !RemoveChild(chain[depth - 1], path.Elements[depth - 1]))
            {
                break;
            }
        }

        return true;
    }

    private static JsonNode? Step(JsonNode? node, string element) => node switch
    {
        JsonObject o when element.StartsWith("f:", StringComparison.Ordinal) => o[element[2..]],
        JsonArray a => IndexOf(a, element) is var i and >= 0 ? a[i] : null,
        _ => null,
    };

    private static bool RemoveChild(JsonNode parent, string element)
    {
        switch (parent)
        {
            case JsonObject o when element.StartsWith("f:", StringComparison.Ordinal):
                return o.Remove(element[2..]);
            case JsonArray a:
                var index = IndexOf(a, element);
                if (index < 0)
                {
                    return false;
                }

                a.RemoveAt(index);
                return true;
            default:
                return false;
        }
    }

    private static int IndexOf(JsonArray list, string element)
    {
        if (element.StartsWith("i:", StringComparison.Ordinal))
        {
            return int.TryParse(element[2..], out var i) && i < list.Count ? i : -1;
        }

        IReadOnlyList<string> keys = element.StartsWith("k:", StringComparison.Ordinal) && JsonNode.Parse(element[2..]) is JsonObject keyObject
            ? [.. keyObject.Select(k => k.Key)]
            : [];
        var kind = element.StartsWith("v:", StringComparison.Ordinal) ? ListType.Set : ListType.Map;
        for (var i = 0; i < list.Count; i++)
        {
            if (kind == ListType.Map && list[i] is not JsonObject)
            {
                continue;
            }

            var candidate = TryElement(list[i], kind, keys);
            if (candidate == element)
            {
                return i;
            }
        }

        return -1;
    }

    private static string? TryElement(JsonNode? item, ListType kind, IReadOnlyList<string> keys)
    {
        try
        {
            return ListSemantics.ItemElement(item, kind, keys, FieldPath.Root);
        }
        catch (Patch.PatchException)
        {
            return null;
        }
    }
}
