using System.Text.Json.Nodes;
using Stevedore.ApiServer.Patch;
using Stevedore.ApiServer.Schema;
using Stevedore.ApiServer.Serialization;

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

    /// <param name="withLeaves">Also record the leaves' values (only needed to compare with another object).</param>
    private TrackedFields(bool withLeaves = true)
    {
        _leaves = withLeaves ? [] : null;
    }

    private readonly Dictionary<FieldPath, JsonNode?>? _leaves;

    public FieldSet Set { get; } = new();

    public Dictionary<FieldPath, JsonNode?> Leaves => _leaves ?? throw new InvalidOperationException("collected without leaves");

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

    /// <summary>
    /// The same answer as <see cref="Compare"/> of the two collected objects, but walking only the
    /// members that differ: a write usually changes a few fields of a large object, and equal
    /// subtrees hold equal field sets and leaves.
    /// </summary>
    public static (FieldSet Added, FieldSet Modified, FieldSet Removed) Diff(JsonObject? before, JsonObject? after, Type? modelType, bool trackStatus)
    {
        if (before is null && after is not null)
        {
            // A create: every field is new, and no leaf needs comparing.
            var created = new TrackedFields(withLeaves: false);
            created.WalkObject(after, modelType, FieldPath.Root, trackStatus);
            return (created.Set, new FieldSet(), new FieldSet());
        }

        if (before is null || after is null)
        {
            return Compare(Collect(before, modelType, trackStatus), Collect(after, modelType, trackStatus));
        }

        var changes = (Added: new FieldSet(), Modified: new FieldSet(), Removed: new FieldSet());
        DiffObject(before, after, modelType, FieldPath.Root, trackStatus, changes);
        return changes;
    }

    private static void DiffObject(JsonObject before, JsonObject after, Type? type, FieldPath path, bool trackStatus, (FieldSet Added, FieldSet Modified, FieldSet Removed) changes)
    {
        var isDictionary = ModelTypes.IsMap(type);
        foreach (var (key, value) in after)
        {
            if (IsUntracked(path, key, trackStatus))
            {
                continue;
            }

            // Equal bytes mean an equal subtree; anything else is walked below, which finds no change
            // in a subtree that is equal after all (keys in another order), so DeepEquals is not needed.
            var existed = before.TryGetPropertyValue(key, out var old);
            if (existed && Json.SameSerialization(old, value))
            {
                continue;
            }

            var childPath = path.Child(FieldPath.Field(key));
            if (IsScalar(value) && (!existed || IsScalar(old)))
            {
                // A scalar (or null) on both sides is one leaf at the member's path (a map entry's
                // path too): what walking both sides and comparing them would find, without doing it.
                if (!existed)
                {
                    changes.Added.Add(childPath);
                }
                else if (!JsonNode.DeepEquals(old, value))
                {
                    changes.Modified.Add(childPath);
                }

                continue;
            }

            var memberType = ModelTypes.Member(type, key);
            if (existed && IsWalkedObject(old, memberType) && IsWalkedObject(value, memberType))
            {
                // Both sides are objects walked member by member; a map entry's own path is on both.
                DiffObject((JsonObject)old!, (JsonObject)value!, memberType, childPath, trackStatus, changes);
                continue;
            }

            var info = ModelTypes.Info(type, key);
            if (existed && old is JsonArray oldList && value is JsonArray newList
                && TryDiffList(oldList, newList, memberType, info, childPath, trackStatus, changes))
            {
                continue;
            }

            var afterFields = new TrackedFields(withLeaves: existed);
            afterFields.WalkMember(value, isDictionary, memberType, info, childPath, trackStatus);
            if (!existed)
            {
                // Nothing before: all of it is new.
                AddAll(changes.Added, afterFields.Set);
                continue;
            }

            var beforeFields = new TrackedFields();
            beforeFields.WalkMember(old, isDictionary, memberType, info, childPath, trackStatus);
            var (added, modified, removed) = Compare(beforeFields, afterFields);
            AddAll(changes.Added, added);
            AddAll(changes.Modified, modified);
            AddAll(changes.Removed, removed);
        }

        foreach (var (key, old) in before)
        {
            if (after.ContainsKey(key) || IsUntracked(path, key, trackStatus))
            {
                continue;
            }

            var gone = new TrackedFields(withLeaves: false);
            gone.WalkMember(old, isDictionary, ModelTypes.Member(type, key), ModelTypes.Info(type, key), path.Child(FieldPath.Field(key)), trackStatus);
            AddAll(changes.Removed, gone.Set);
        }
    }

    /// <summary>
    /// Associative lists (maps by key, sets) item by item: items are matched by their path element,
    /// equal items skipped, changed map items diffed member by member. False (nothing recorded)
    /// for atomic lists and lists with duplicate items, which the caller compares whole.
    /// </summary>
    private static bool TryDiffList(JsonArray before, JsonArray after, Type? listType, FieldPatchInfo? info, FieldPath path, bool trackStatus, (FieldSet Added, FieldSet Modified, FieldSet Removed) changes)
    {
        var (kind, keys) = ListSemantics.Of(info);
        if (kind == ListType.Atomic
            || ItemsByElement(before, kind, keys, path) is not { } beforeItems
            || ItemsByElement(after, kind, keys, path) is not { } afterItems)
        {
            return false;
        }

        var itemType = ModelTypes.Item(listType);
        foreach (var (element, item) in afterItems)
        {
            var itemPath = path.Child(element);
            if (!beforeItems.TryGetValue(element, out var old))
            {
                var added = new TrackedFields(withLeaves: false);
                added.WalkItem(item, kind, itemType, itemPath, trackStatus);
                AddAll(changes.Added, added.Set);
            }
            else if (Json.SameSerialization(old, item))
            {
                continue;
            }
            else if (kind == ListType.Map && old is JsonObject oldItem && item is JsonObject newItem)
            {
                DiffObject(oldItem, newItem, itemType, itemPath, trackStatus, changes);
            }
            else
            {
                var beforeFields = new TrackedFields();
                beforeFields.WalkItem(old, kind, itemType, itemPath, trackStatus);
                var afterFields = new TrackedFields();
                afterFields.WalkItem(item, kind, itemType, itemPath, trackStatus);
                var (added, modified, removed) = Compare(beforeFields, afterFields);
                AddAll(changes.Added, added);
                AddAll(changes.Modified, modified);
                AddAll(changes.Removed, removed);
            }
        }

        foreach (var (element, old) in beforeItems)
        {
            if (!afterItems.ContainsKey(element))
            {
                var gone = new TrackedFields(withLeaves: false);
                gone.WalkItem(old, kind, itemType, path.Child(element), trackStatus);
                AddAll(changes.Removed, gone.Set);
            }
        }

        return true;
    }

    /// <summary>The items of an associative list by their path element; null when two items share one.</summary>
    private static Dictionary<string, JsonNode?>? ItemsByElement(JsonArray list, ListType kind, IReadOnlyList<string> keys, FieldPath path)
    {
        var items = new Dictionary<string, JsonNode?>(list.Count, StringComparer.Ordinal);
        foreach (var item in list)
        {
            if (!items.TryAdd(ListSemantics.ItemElement(item, kind, keys, path), item))
            {
                return null;
            }
        }

        return items;
    }

    /// <summary>A value that is always one leaf: not an object or a list.</summary>
    private static bool IsScalar(JsonNode? value) => value is not (JsonObject or JsonArray);

    private static bool IsWalkedObject(JsonNode? value, Type? type) =>
        value is JsonObject o && o.Count > 0 && !(type is not null && PatchStrategyTable.IsAtomicStruct(type));

    private static void AddAll(FieldSet target, FieldSet source)
    {
        foreach (var path in source)
        {
            target.Add(path);
        }
    }

    /// <summary>One member of an object, as <see cref="WalkObject"/> records it.</summary>
    private void WalkMember(JsonNode? value, bool inDictionary, Type? memberType, FieldPatchInfo? info, FieldPath path, bool trackStatus)
    {
        if (inDictionary)
        {
            Set.Add(path);
        }

        WalkValue(value, memberType, info, path, trackStatus);
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
            case JsonObject o when IsWalkedObject(o, type):
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
                    WalkItem(item, kind, itemType, path.Child(ListSemantics.ItemElement(item, kind, keys, path)), trackStatus);
                }

                break;
            default:
                Leaf(path, value);
                break;
        }
    }

    /// <summary>One item of an associative list at its path: a set item or scalar is a leaf, a map item a member with members.</summary>
    private void WalkItem(JsonNode? item, ListType kind, Type? itemType, FieldPath itemPath, bool trackStatus)
    {
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

    private void Leaf(FieldPath path, JsonNode? value)
    {
        Set.Add(path);
        if (_leaves is not null)
        {
            _leaves[path] = value;
        }
    }

    private static bool IsUntracked(FieldPath path, string key, bool trackStatus) => path.Depth switch
    {
        0 => key is "apiVersion" or "kind" || (key == "status" && !trackStatus),
        1 => path.Elements[0] == "f:metadata" && UntrackedMetadata.Contains(key),
        _ => false,
    };
}
