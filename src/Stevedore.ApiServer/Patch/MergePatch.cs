using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Patch;

/// <summary>
/// RFC 7386 JSON Merge Patch: objects merge recursively, null removes a member, anything
/// else (arrays included) replaces. The inputs are not modified.
/// </summary>
public static class MergePatch
{
    /// <summary>The result of applying <paramref name="patch"/> to <paramref name="target"/>.</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch) => MergeInto(target?.DeepClone(), patch);

    // Merges into an already private copy, so each subtree is cloned at most once.
    private static JsonNode? MergeInto(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
                continue;
            }

            result.TryGetPropertyValue(name, out var existing);
            var merged = MergeInto(existing, value);
            if (!ReferenceEquals(merged, existing))
            {
                result[name] = merged;
            }
        }

        return result;
    }
}
