using System.Text.Json.Nodes;
using Stevedore.ApiServer.Patch;
using Stevedore.ApiServer.Schema;

namespace Stevedore.ApiServer.Apply;

/// <summary>
/// The field set of one object as server-side apply sees it, plus the value of each leaf
/// (scalars, atomic lists and structs, empty objects, set items) so that two objects can be
/// compared leaf by leaf. Server-owned metadata, apiVersion/kind and (for the main resource)
/// status are never tracked.
/// </summary>
internal sealed class TrackedFields
{
    private static readonly HashSet<string> UntrackedMetadata = new(StringComparer.Ordinal)
    {
        "name", "namespace", "managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink",
    };

    private TrackedFields()
    {
    }

    public FieldSet Set { get; } = new();

    public Dictionary<FieldPath, JsonNode?> Leaves { get; } = [];

    /// <param name="trackStatus">True for writes through the status subresource, where status is what changes.</param>
    public static TrackedFields Collect(JsonObject? obj, Type? modelType, bool trackStatus)
    {
        var fields = new TrackedFields();
        if (obj is not null)
        {
            fields.WalkObject(obj, modelType, FieldPath.Root, trackStatus);
        }

        return fields;
    }

    /// <summary>What changed from <paramref name="before"/> to <paramref name="after"/>.</summary>
    public static (FieldSet Added, FieldSet Modified, FieldSet Removed) Compare(TrackedFields before, TrackedFields after)
    {
        var modified = new FieldSet();
        foreach (var (path, value) in after.Leaves)
        {
            if (before.Leaves.TryGetValue(path, out var old) && !JsonNode.DeepEquals(old, value))
            {
                modified.Add(path);
            }
        }

        return (after.Set.Except(before.Set), modified, before.Set.Except(after.Set));
    }

    private void WalkObject(JsonObject obj, Type? type, FieldPath path, bool trackStatus)
    {
        var isDictionary = ModelTypes.IsMap(type);
        foreach (var (key, value) in obj)
        {
            if (IsUntracked(path, key, trackStatus))
            {
                continue;
            }

            var childPath = path.Child(FieldPath.Field(key));
            if (isDictionary)
            {
                // Entries of a map (labels, annotations, data) are members themselves.
                Set.Add(childPath);
            }

            WalkValue(value, ModelTypes.Member(type, key), ModelTypes.Info(type, key), childPath, trackStatus);
        }
    }

    private void WalkValue(JsonNode? value, Type? type, FieldPatchInfo? info, FieldPath path, bool trackStatus)
    {
        switch (value)
        {
            case JsonObject o when o.Count > 0 && !(type is not null && PatchStrategyTable.IsAtomicStruct(type)):
                WalkObject(o, type, path, trackStatus);
                break;
            case JsonArray list:
                var (kind, keys) = ListSemantics.Of(info);
                if (kind == ListType.Atomic)
                {
                    Leaf(path, list);
                    break;
                }

                var itemType = ModelTypes.Item(type);
                foreach (var item in list)
                {
                    var itemPath = path.Child(ListSemantics.ItemElement(item, kind, keys, path));
                    if (kind == ListType.Set || item is not JsonObject itemObject)
                    {
                        Leaf(itemPath, item);
                    }
                    else
                    {
                        Set.Add(itemPath);
                        WalkObject(itemObject, itemType, itemPath, trackStatus);
                    }
                }

                break;
            default:
                Leaf(path, value);
                break;
        }
    }

    private void Leaf(FieldPath path, JsonNode? value)
    {
        Set.Add(path);
        Leaves[path] = value;
    }

    private static bool IsUntracked(FieldPath path, string key, bool trackStatus) => path.Depth switch
    {
        0 => key is "apiVersion" or "kind" || (key == "status" && !trackStatus),
        1 => path.Elements[0] == "f:metadata" && UntrackedMetadata.Contains(key),
        _ => false,
    };
}
