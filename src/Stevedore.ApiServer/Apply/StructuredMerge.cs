using System.Text.Json.Nodes;
using Stevedore.ApiServer.Patch;
using Stevedore.ApiServer.Schema;

namespace Stevedore.ApiServer.Apply;

/// <summary>
/// Merges an applied configuration into the live object the way server-side apply does:
/// objects merge member by member, map lists merge item by item on their keys, sets take the
/// union, atomic lists and atomic structs are replaced whole. Returns fresh nodes; the inputs
/// are not modified.
/// </summary>
internal static class StructuredMerge
{
    public static JsonNode? Merge(JsonNode? live, JsonNode? applied, Type? type, FieldPatchInfo? info)
    {
        switch (applied)
        {
            case JsonObject appliedObject when live is JsonObject liveObject && !(type is not null && PatchStrategyTable.IsAtomicStruct(type)):
                return MergeObject(liveObject, appliedObject, type);
            case JsonArray appliedList when live is JsonArray liveList:
                var (kind, keys) = ListSemantics.Of(info);
                return kind switch
                {
                    ListType.Map => MergeMapList(liveList, appliedList, keys, ModelTypes.Item(type)),
                    ListType.Set => MergeSet(liveList, appliedList),
                    _ => appliedList.DeepClone(),
                };
            default:
                return applied?.DeepClone();
        }
    }

    private static JsonObject MergeObject(JsonObject live, JsonObject applied, Type? type)
    {
        var result = new JsonObject();
        foreach (var (key, value) in live)
        {
            if (!applied.TryGetPropertyValue(key, out var appliedValue))
            {
                result[key] = value?.DeepClone();
            }
            else if (appliedValue is not null)
            {
                result[key] = Merge(value, appliedValue, ModelTypes.Member(type, key), ModelTypes.Info(type, key));
            }
        }

        foreach (var (key, value) in applied)
        {
            // An explicit null in the applied configuration asks for the field to be absent.
            if (value is not null && !live.ContainsKey(key))
            {
                result[key] = Merge(null, value, ModelTypes.Member(type, key), ModelTypes.Info(type, key));
            }
        }

        return result;
    }

    // Live order is kept; applied items are emitted in applied order at the position of the
    // first live item they match, new ones at the end.
    private static JsonArray MergeMapList(JsonArray live, JsonArray applied, IReadOnlyList<string> keys, Type? itemType)
    {
        var listPath = FieldPath.Root;
        string Id(JsonNode? item) => ListSemantics.ItemElement(item, ListType.Map, keys, listPath);

        var liveById = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var item in live)
        {
            liveById.TryAdd(Id(item), item);
        }

        var appliedIds = applied.Select(Id).ToList();
        var appliedSet = appliedIds.ToHashSet(StringComparer.Ordinal);
        var emitted = new HashSet<string>(StringComparer.Ordinal);
        var result = new JsonArray();
        var next = 0;

        void EmitApplied(int index)
        {
            var id = appliedIds[index];
            if (emitted.Add(id))
            {
                result.Add(Merge(liveById.GetValueOrDefault(id), applied[index], itemType, null));
            }
        }

        foreach (var item in live)
        {
            var id = Id(item);
            if (!appliedSet.Contains(id))
            {
                result.Add(item?.DeepClone());
                continue;
            }

            while (next < appliedIds.Count && !emitted.Contains(id))
            {
                EmitApplied(next++);
            }
        }

        for (; next < appliedIds.Count; next++)
        {
            EmitApplied(next);
        }

        return result;
    }

    private static JsonArray MergeSet(JsonArray live, JsonArray applied)
    {
        var result = (JsonArray)live.DeepClone();
        foreach (var item in applied)
        {
            if (!result.Any(existing => JsonNode.DeepEquals(existing, item)))
            {
                result.Add(item?.DeepClone());
            }
        }

        return result;
    }
}
