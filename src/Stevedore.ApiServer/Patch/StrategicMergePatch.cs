using System.Text.Json.Nodes;
using Stevedore.ApiServer.Schema;

namespace Stevedore.ApiServer.Patch;

/// <summary>
/// Kubernetes strategic merge patch over typed models: maps merge recursively, lists whose
/// field is tagged <c>patchStrategy:"merge"</c> merge by their merge key (primitive lists by
/// set union), other lists are replaced, null deletes a member. Understands the directives
/// <c>$patch</c> (replace / delete / merge), <c>$retainKeys</c>, <c>$setElementOrder/&lt;field&gt;</c>
/// and <c>$deleteFromPrimitiveList/&lt;field&gt;</c>. The inputs are not modified.
/// </summary>
public static partial class StrategicMergePatch
{
    internal const string PatchDirective = "$patch";
    internal const string RetainKeysDirective = "$retainKeys";
    internal const string SetElementOrderPrefix = "$setElementOrder/";
    internal const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";

    /// <summary>Applies <paramref name="patch"/> to a copy of <paramref name="original"/>, an object of <paramref name="modelType"/>.</summary>
    /// <param name="modelType">The <c>k8s.Models</c> type of the object; its fields' merge metadata drive list merging.</param>
    /// <exception cref="PatchException">The patch is not an object, carries a bad directive, or misses a merge key.</exception>
    public static JsonNode Apply(JsonNode original, JsonNode patch, Type modelType)
    {
        ArgumentNullException.ThrowIfNull(modelType);
        if (patch is not JsonObject patchObject)
        {
            throw new PatchException("a strategic merge patch must be a JSON object", PatchFailure.BadRequest);
        }

        var target = original is JsonObject originalObject ? (JsonObject)originalObject.DeepClone() : [];
        return MergeObject(target, patchObject, modelType);
    }

    // Merges patch into original, which is a private copy and is modified. Returns the result
    // (a fresh object when a $patch directive replaces or deletes the map).
    private static JsonObject MergeObject(JsonObject original, JsonObject patch, Type? type)
    {
        if (patch.TryGetPropertyValue(PatchDirective, out var directiveNode))
        {
            switch (DirectiveName(directiveNode))
            {
                case "replace":
                    return MergeObject([], WithoutMember(patch, PatchDirective), type);
                case "delete":
                    return [];
                case "merge":
                    break;
                case var other:
                    throw new PatchException($"unknown patch type: \"{other}\" in map: {patch.ToJsonString()}", PatchFailure.BadRequest);
            }
        }

        ApplyRetainKeys(original, patch);

        foreach (var field in FieldsTouchedBy(patch))
        {
            MergeField(original, patch, field, type);
        }

        return original;
    }

    private static void MergeField(JsonObject original, JsonObject patch, string field, Type? type)
    {
        var info = ModelTypes.Info(type, field);
        var fieldType = ModelTypes.Member(type, field);
        original.TryGetPropertyValue(field, out var current);
        var serverItems = current is JsonArray currentList ? currentList.ToList() : [];

        if (patch[DeleteFromPrimitiveListPrefix + field] is JsonArray deletions && current is JsonArray fromList)
        {
            foreach (var item in fromList.Where(item => deletions.Any(d => JsonNode.DeepEquals(d, item))).ToList())
            {
                fromList.Remove(item);
            }
        }

        if (patch.TryGetPropertyValue(field, out var patchValue))
        {
            if (patchValue is null)
            {
                original.Remove(field);
                return;
            }

            var merged = (current, patchValue) switch
            {
                (JsonObject o, JsonObject p) when info?.PatchStrategy != "replace" => MergeObject(o, p, fieldType),
                (JsonArray o, JsonArray p) => MergeList(o, p, info, ModelTypes.Item(fieldType)),
                _ => Fresh(patchValue, info, fieldType),
            };

            if (!ReferenceEquals(merged, current))
            {
                original[field] = merged;
            }

            current = merged;
        }

        if (patch[SetElementOrderPrefix + field] is JsonArray order && current is JsonArray result)
        {
            var ordered = Reorder(result, order, serverItems, info?.PatchMergeKey);
            result.Clear();
            foreach (var item in ordered)
            {
                result.Add(item);
            }
        }
    }

    // A value from the patch with nothing to merge into: directives and nulls are still resolved.
    private static JsonNode? Fresh(JsonNode? value, FieldPatchInfo? info, Type? type) => value switch
    {
        JsonObject o => MergeObject([], o, type),
        JsonArray a => MergeList([], a, info, ModelTypes.Item(type)),
        _ => value?.DeepClone(),
    };

    // The fields a patch names, directly or through $setElementOrder / $deleteFromPrimitiveList, in patch order.
    private static IEnumerable<string> FieldsTouchedBy(JsonObject patch)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, _) in patch)
        {
            var field = key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal) ? key[SetElementOrderPrefix.Length..]
                : key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal) ? key[DeleteFromPrimitiveListPrefix.Length..]
                : key.StartsWith('$') ? null
                : key;
            if (field is not null && seen.Add(field))
            {
                yield return field;
            }
        }
    }

    private static void ApplyRetainKeys(JsonObject original, JsonObject patch)
    {
        if (!patch.TryGetPropertyValue(RetainKeysDirective, out var retainNode))
        {
            return;
        }

        if (retainNode is not JsonArray retainList || retainList.Any(k => k is not JsonValue v || !v.TryGetValue<string>(out _)))
        {
            throw new PatchException($"invalid patch: {RetainKeysDirective} must be a list of strings", PatchFailure.BadRequest);
        }

        var retain = retainList.Select(k => k!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in patch)
        {
            if (!key.StartsWith('$') && value is not null && !retain.Contains(key))
            {
                throw new PatchException($"invalid patch: the patch has field \"{key}\" that is not listed in {RetainKeysDirective} {retainList.ToJsonString()}", PatchFailure.BadRequest);
            }
        }

        foreach (var key in original.Select(p => p.Key).Where(k => !retain.Contains(k)).ToList())
        {
            original.Remove(key);
        }
    }

    private static string DirectiveName(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var name)
            ? name
            : throw new PatchException($"invalid patch: {PatchDirective} must be a string", PatchFailure.BadRequest);

    private static JsonObject WithoutMember(JsonObject source, string member)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in source)
        {
            if (key != member)
            {
                copy[key] = value?.DeepClone();
            }
        }

        return copy;
    }
}
