using System.Text.Json.Nodes;
using Stevedore.ApiServer.Schema;

namespace Stevedore.ApiServer.Patch;

public static partial class StrategicMergePatch
{
    // Merges a patch list into the original list (a private copy). Lists without the merge
    // strategy are replaced, as upstream.
    private static JsonArray MergeList(JsonArray original, JsonArray patch, FieldPatchInfo? info, Type? itemType)
    {
        if (info?.MergesLists != true)
        {
            return (JsonArray)patch.DeepClone();
        }

        var mergeKey = info.PatchMergeKey;
        var items = new List<JsonNode?>();
        foreach (var item in patch)
        {
            if (item is JsonObject directive && directive.TryGetPropertyValue(PatchDirective, out var directiveNode))
            {
                switch (DirectiveName(directiveNode))
                {
                    case "replace":
                        // The list is replaced by the other items of the patch.
                        return new JsonArray([.. patch.Where(i => !ReferenceEquals(i, item)).Select(i => Fresh(i, null, itemType))]);
                    case "delete":
                        DeleteByMergeKey(original, directive, mergeKey);
                        continue;
                    case "merge":
                        items.Add(WithoutMember(directive, PatchDirective));
                        continue;
                    case var other:
                        throw new PatchException($"unknown patch type: \"{other}\" in list item: {directive.ToJsonString()}", PatchFailure.BadRequest);
                }
            }

            items.Add(item);
        }

        if (mergeKey is null)
        {
            // A merge list without a key holds primitives: the result is the set union.
            foreach (var item in items)
            {
                if (!original.Any(existing => JsonNode.DeepEquals(existing, item)))
                {
                    original.Add(item?.DeepClone());
                }
            }

            return original;
        }

        foreach (var item in items)
        {
            if (item is not JsonObject patchItem)
            {
                throw new PatchException($"invalid patch: list items merged on \"{mergeKey}\" must be objects, got {item?.ToJsonString() ?? "null"}", PatchFailure.BadRequest);
            }

            var key = KeyOf(patchItem, mergeKey);
            var index = IndexOfKey(original, mergeKey, key);
            if (index < 0)
            {
                original.Add(MergeObject([], patchItem, itemType));
                continue;
            }

            var existing = (JsonObject)original[index]!;
            var merged = MergeObject(existing, patchItem, itemType);
            if (!ReferenceEquals(merged, existing))
            {
                original[index] = merged;
            }
        }

        return original;
    }

    private static void DeleteByMergeKey(JsonArray original, JsonObject directive, string? mergeKey)
    {
        if (mergeKey is null)
        {
            throw new PatchException($"invalid patch: {PatchDirective}: delete needs a list with a merge key, got {directive.ToJsonString()}", PatchFailure.BadRequest);
        }

        var key = KeyOf(directive, mergeKey);
        for (var i = original.Count - 1; i >= 0; i--)
        {
            if (original[i] is JsonObject candidate && JsonNode.DeepEquals(candidate[mergeKey], key))
            {
                original.RemoveAt(i);
            }
        }
    }

    private static JsonNode KeyOf(JsonObject item, string mergeKey) =>
        item[mergeKey] ?? throw new PatchException($"map: {item.ToJsonString()} does not contain declared merge key: {mergeKey}");

    private static int IndexOfKey(JsonArray list, string mergeKey, JsonNode key)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is JsonObject candidate && JsonNode.DeepEquals(candidate[mergeKey], key))
            {
                return i;
            }
        }

        return -1;
    }

    // $setElementOrder: items named in the order list come in that order; items only the
    // server had keep their relative server position, interleaved like upstream's sorted merge.
    private static List<JsonNode?> Reorder(JsonArray merged, JsonArray order, List<JsonNode?> serverItems, string? mergeKey)
    {
        string Id(JsonNode? node) =>
            (mergeKey is not null && node is JsonObject o ? o[mergeKey] : node)?.ToJsonString() ?? "null";

        var orderIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in order)
        {
            orderIndex.TryAdd(Id(entry), orderIndex.Count);
        }

        var serverIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in serverItems)
        {
            serverIndex.TryAdd(Id(entry), serverIndex.Count);
        }

        var items = merged.Select(node => node?.DeepClone()).ToList();
        var inOrder = items.Where(i => orderIndex.ContainsKey(Id(i))).OrderBy(i => orderIndex[Id(i)]).ToList();
        var serverOnly = items.Where(i => !orderIndex.ContainsKey(Id(i)) && serverIndex.ContainsKey(Id(i))).OrderBy(i => serverIndex[Id(i)]).ToList();
        var unlisted = items.Where(i => !orderIndex.ContainsKey(Id(i)) && !serverIndex.ContainsKey(Id(i)));

        var result = new List<JsonNode?>(items.Count);
        int left = 0, right = 0;
        while (left < inOrder.Count || right < serverOnly.Count)
        {
            if (right >= serverOnly.Count)
            {
                result.Add(inOrder[left++]);
            }
            else if (left >= inOrder.Count)
            {
                result.Add(serverOnly[right++]);
            }
            else if (serverIndex.TryGetValue(Id(inOrder[left]), out var l) && l > serverIndex[Id(serverOnly[right])])
            {
                result.Add(serverOnly[right++]);
            }
            else
            {
                result.Add(inOrder[left++]);
            }
        }

        result.AddRange(unlisted);
        return result;
    }
}
