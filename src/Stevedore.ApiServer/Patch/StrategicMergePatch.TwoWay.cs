using System.Text.Json.Nodes;
using Stevedore.ApiServer.Schema;

namespace Stevedore.ApiServer.Patch;

public static partial class StrategicMergePatch
{
    /// <summary>
    /// The strategic merge patch that turns <paramref name="original"/> into <paramref name="modified"/>
    /// (what kubectl sends for edit and client-side apply): changed members only, null for removed
    /// members, <c>$patch: delete</c> for removed merge-list items, <c>$deleteFromPrimitiveList</c>
    /// and <c>$setElementOrder</c> for merged lists, <c>$retainKeys</c> where the field retains keys.
    /// </summary>
    public static JsonObject CreateTwoWay(JsonObject original, JsonObject modified, Type modelType)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(modified);
        ArgumentNullException.ThrowIfNull(modelType);
        return DiffObjects(original, modified, modelType, retainKeys: false);
    }

    private static JsonObject DiffObjects(JsonObject original, JsonObject modified, Type? type, bool retainKeys)
    {
        var patch = new JsonObject();
        foreach (var (key, _) in original)
        {
            if (!modified.ContainsKey(key))
            {
                patch[key] = null;
            }
        }

        foreach (var (key, after) in modified)
        {
            original.TryGetPropertyValue(key, out var before);
            var existed = original.ContainsKey(key);
            if (existed && JsonNode.DeepEquals(before, after))
            {
                continue;
            }

            var info = ModelTypes.Info(type, key);
            var fieldType = ModelTypes.Member(type, key);
            switch (before, after)
            {
                case (JsonObject b, JsonObject a) when info?.PatchStrategy != "replace":
                    patch[key] = DiffObjects(b, a, fieldType, info?.RetainsKeys == true);
                    break;
                case (JsonArray b, JsonArray a) when info?.MergesLists == true:
                    DiffMergeList(patch, key, b, a, info, ModelTypes.Item(fieldType));
                    break;
                default:
                    patch[key] = after?.DeepClone();
                    break;
            }
        }

        if (retainKeys && patch.Count > 0)
        {
            patch[RetainKeysDirective] = new JsonArray([.. modified.Select(p => p.Key).Order(StringComparer.Ordinal).Select(k => (JsonNode)k)]);
        }

        return patch;
    }

    private static void DiffMergeList(JsonObject patch, string field, JsonArray original, JsonArray modified, FieldPatchInfo info, Type? itemType)
    {
        var mergeKey = info.PatchMergeKey;
        if (mergeKey is null)
        {
            var added = modified.Where(m => !original.Any(o => JsonNode.DeepEquals(o, m))).Select(m => m?.DeepClone()).ToArray();
            var removed = original.Where(o => !modified.Any(m => JsonNode.DeepEquals(o, m))).Select(o => o?.DeepClone()).ToArray();
            if (added.Length > 0)
            {
                patch[field] = new JsonArray(added);
            }

            if (removed.Length > 0)
            {
                patch[DeleteFromPrimitiveListPrefix + field] = new JsonArray(removed);
            }

            patch[SetElementOrderPrefix + field] = modified.DeepClone();
            return;
        }

        var items = new JsonArray();
        foreach (var after in modified.OfType<JsonObject>())
        {
            var key = after[mergeKey];
            var before = original.OfType<JsonObject>().FirstOrDefault(o => JsonNode.DeepEquals(o[mergeKey], key));
            if (before is null)
            {
                items.Add(after.DeepClone());
            }
            else if (!JsonNode.DeepEquals(before, after))
            {
                var itemPatch = DiffObjects(before, after, itemType, info.RetainsKeys);
                itemPatch[mergeKey] = key?.DeepClone();
                items.Add(itemPatch);
            }
        }

        foreach (var before in original.OfType<JsonObject>())
        {
            var key = before[mergeKey];
            if (!modified.OfType<JsonObject>().Any(m => JsonNode.DeepEquals(m[mergeKey], key)))
            {
                items.Add(new JsonObject { [mergeKey] = key?.DeepClone(), [PatchDirective] = "delete" });
            }
        }

        if (items.Count > 0)
        {
            patch[field] = items;
        }

        patch[SetElementOrderPrefix + field] = new JsonArray([.. modified.OfType<JsonObject>().Select(m => (JsonNode)new JsonObject { [mergeKey] = m[mergeKey]?.DeepClone() })]);
    }
}
