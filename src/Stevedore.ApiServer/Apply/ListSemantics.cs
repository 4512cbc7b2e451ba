using System.Text.Json.Nodes;
using Stevedore.ApiServer.Patch;
using Stevedore.ApiServer.Schema;

namespace Stevedore.ApiServer.Apply;

/// <summary>
/// How server-side apply treats a list field: the declared <c>listType</c> when upstream sets
/// one, else (like the OpenAPI-to-schema conversion upstream) a merge strategy with a key means
/// a map keyed by it, a merge strategy without a key means a set, and anything else is atomic.
/// </summary>
internal static class ListSemantics
{
    // Key fields that upstream defaults, so items that omit them still get a full key.
    private static readonly Dictionary<string, JsonNode> KeyDefaults = new(StringComparer.Ordinal) { ["protocol"] = "TCP" };

    public static (ListType Kind, IReadOnlyList<string> Keys) Of(FieldPatchInfo? info)
    {
        if (info is null)
        {
            return (ListType.Atomic, []);
        }

        if (info.ListType is ListType declared)
        {
            return declared == ListType.Map && info.ListMapKeys.Count == 0 && info.PatchMergeKey is { } key
                ? (ListType.Map, [key])
                : (declared, info.ListMapKeys);
        }

        if (info.MergesLists)
        {
            return info.PatchMergeKey is { } mergeKey ? (ListType.Map, [mergeKey]) : (ListType.Set, []);
        }

        return (ListType.Atomic, []);
    }

    /// <summary>The path element of an item of a map list (<c>k:{...}</c>) or a set (<c>v:...</c>).</summary>
    public static string ItemElement(JsonNode? item, ListType kind, IReadOnlyList<string> keys, FieldPath listPath)
    {
        if (kind == ListType.Set)
        {
            return FieldPath.Value(item);
        }

        if (item is not JsonObject fields)
        {
            throw new PatchException($"{listPath}: associative list item {FieldPath.Json(item)} is not an object", PatchFailure.BadRequest);
        }

        var keyValues = new KeyValuePair<string, JsonNode?>[keys.Count];
        for (var i = 0; i < keyValues.Length; i++)
        {
            var key = keys[i];
            if (fields[key] is { } value)
            {
                keyValues[i] = new(key, value);
            }
            else if (KeyDefaults.TryGetValue(key, out var fallback))
            {
                keyValues[i] = new(key, fallback);
            }
            else
            {
                throw new PatchException($"{listPath}: associative list with keys has an element that omits key field \"{key}\" (and doesn't have default value)", PatchFailure.BadRequest);
            }
        }

        return FieldPath.Key(keyValues);
    }
}
