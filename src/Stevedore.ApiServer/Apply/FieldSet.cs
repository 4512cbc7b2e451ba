using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Apply;

/// <summary>
/// A set of field paths: what one manager owns. Converts to and from the upstream FieldsV1
/// JSON, where a path's node is <c>{}</c> when it is a leaf, and carries <c>".": {}</c> when
/// the node itself is a member and also has members below it.
/// </summary>
public sealed class FieldSet : IEnumerable<FieldPath>
{
    private readonly HashSet<FieldPath> _paths;

    public FieldSet() => _paths = [];

    public FieldSet(IEnumerable<FieldPath> paths) => _paths = [.. paths];

    // Keeps the given set itself: only for sets nobody else holds (see Copy).
    private FieldSet(HashSet<FieldPath> owned, bool handedOver) => _paths = handedOver ? owned : [.. owned];

    public int Count => _paths.Count;

    public bool IsEmpty => _paths.Count == 0;

    public bool Add(FieldPath path) => _paths.Add(path);

    public bool Contains(FieldPath path) => _paths.Contains(path);

    public FieldSet Union(IEnumerable<FieldPath> other)
    {
        var result = Copy();
        result._paths.UnionWith(other);
        return result;
    }

    public FieldSet Except(IEnumerable<FieldPath> other)
    {
        var result = Copy();
        result._paths.ExceptWith(other);
        return result;
    }

    public FieldSet Intersect(IEnumerable<FieldPath> other)
    {
        var result = Copy();
        result._paths.IntersectWith(other);
        return result;
    }

    // HashSet's copy constructor copies the buckets of a set with the same comparer without rehashing.
    private FieldSet Copy() => new(new HashSet<FieldPath>(_paths), handedOver: true);

    public bool SetEquals(FieldSet other) => _paths.SetEquals(other);

    /// <summary>Every member and every ancestor of a member (for "is anything below this owned").</summary>
    public HashSet<FieldPath> WithAncestors()
    {
        var result = new HashSet<FieldPath>();
        foreach (var path in _paths)
        {
            for (var p = path; p is not null && result.Add(p); p = p.Parent)
            {
            }
        }

        return result;
    }

    /// <summary>Reads a FieldsV1 object such as <c>{"f:spec":{"f:replicas":{}}}</c>.</summary>
    public static FieldSet FromFieldsV1(JsonObject fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var set = new FieldSet();
        Read(fields, FieldPath.Root, set);
        return set;
    }

    private static void Read(JsonObject node, FieldPath path, FieldSet set)
    {
        foreach (var (key, child) in node)
        {
            if (key == ".")
            {
                set.Add(path);
                continue;
            }

            var childPath = path.Child(FieldPath.Canonical(key));
            if (child is JsonObject childObject && childObject.Count > 0)
            {
                Read(childObject, childPath, set);
            }
            else
            {
                set.Add(childPath);
            }
        }
    }

    /// <summary>
    /// Whether a FieldsV1 object in the spelling <see cref="ToFieldsV1"/> writes has
    /// <paramref name="path"/> as a member (a leaf <c>{}</c>, or a node with <c>"."</c>).
    /// </summary>
    public static bool TreeContains(JsonObject fieldsV1, FieldPath path)
    {
        ArgumentNullException.ThrowIfNull(fieldsV1);
        ArgumentNullException.ThrowIfNull(path);
        var node = fieldsV1;
        foreach (var element in path.Elements)
        {
            if (!node.TryGetPropertyValue(element, out var child) || child is not JsonObject next)
            {
                return false;
            }

            node = next;
        }

        return node.Count == 0 || node.ContainsKey(".");
    }

    /// <summary>The FieldsV1 object, children sorted with "." first, as upstream.</summary>
    public JsonObject ToFieldsV1()
    {
        var writer = Serialization.Json.RentWriter();
        WriteFieldsV1(writer);
        // Parsed, not built: the object stays its JSON text until someone reads into it, and is
        // written out again as that text (which is all that happens to it on a write).
        return Serialization.Json.ReturnWriterAsObject(writer);
    }

    /// <summary>Writes the FieldsV1 object (see <see cref="ToFieldsV1"/>).</summary>
    public void WriteFieldsV1(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        // The paths in element order: a member comes right before its descendants and siblings come
        // sorted, which is the order of the FieldsV1 tree, so it is written in one pass.
        var paths = new IReadOnlyList<string>[_paths.Count];
        var n = 0;
        foreach (var path in _paths)
        {
            paths[n++] = path.Elements;
        }

        Array.Sort(paths, ElementOrder.Instance);
        writer.WriteStartObject();
        var open = new List<string>();
        for (var i = 0; i < paths.Length; i++)
        {
            var path = paths[i];
            var hasDescendants = i + 1 < paths.Length && IsPrefix(path, paths[i + 1]);
            var common = 0;
            while (common < open.Count && common < path.Count && string.Equals(open[common], path[common], StringComparison.Ordinal))
            {
                common++;
            }

            for (var close = open.Count; close > common; close--)
            {
                writer.WriteEndObject();
                open.RemoveAt(close - 1);
            }

            for (var level = common; level < path.Count; level++)
            {
                writer.WritePropertyName(path[level]);
                writer.WriteStartObject();
                open.Add(path[level]);
            }

            if (hasDescendants)
            {
                // A member with members below it.
                writer.WriteStartObject(".");
                writer.WriteEndObject();
            }
            else if (path.Count > 0)
            {
                writer.WriteEndObject();
                open.RemoveAt(open.Count - 1);
            }
        }

        for (var close = open.Count; close > 0; close--)
        {
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static bool IsPrefix(IReadOnlyList<string> prefix, IReadOnlyList<string> path)
    {
        if (prefix.Count >= path.Count)
        {
            return false;
        }

        for (var i = 0; i < prefix.Count; i++)
        {
            if (!string.Equals(prefix[i], path[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Paths element by element (ordinal), a path before the paths below it.</summary>
    private sealed class ElementOrder : IComparer<IReadOnlyList<string>>
    {
        public static readonly ElementOrder Instance = new();

        public int Compare(IReadOnlyList<string>? x, IReadOnlyList<string>? y)
        {
            for (var i = 0; i < x!.Count && i < y!.Count; i++)
            {
                var order = string.CompareOrdinal(x[i], y[i]);
                if (order != 0)
                {
                    return order;
                }
            }

            return x.Count.CompareTo(y!.Count);
        }
    }

    public IEnumerator<FieldPath> GetEnumerator() => _paths.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
