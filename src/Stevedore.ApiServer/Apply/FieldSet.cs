using System.Collections;
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

    public int Count => _paths.Count;

    public bool IsEmpty => _paths.Count == 0;

    public bool Add(FieldPath path) => _paths.Add(path);

    public bool Contains(FieldPath path) => _paths.Contains(path);

    public FieldSet Union(IEnumerable<FieldPath> other) => new(_paths.Concat(other));

    public FieldSet Except(IEnumerable<FieldPath> other)
    {
        var result = new FieldSet(_paths);
        result._paths.ExceptWith(other);
        return result;
    }

    public FieldSet Intersect(IEnumerable<FieldPath> other)
    {
        var result = new FieldSet(_paths);
        result._paths.IntersectWith(other);
        return result;
    }

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

    /// <summary>Writes the FieldsV1 object, children sorted with "." first, as upstream.</summary>
    public JsonObject ToFieldsV1()
    {
        var root = new Node();
        foreach (var path in _paths)
        {
            var node = root;
            foreach (var element in path.Elements)
            {
                node = node.Children.TryGetValue(element, out var next) ? next : node.Children[element] = new Node();
            }

            node.IsMember = true;
        }

        return Write(root);
    }

    private static JsonObject Write(Node node)
    {
        var result = new JsonObject();
        if (node.IsMember && node.Children.Count > 0)
        {
            result["."] = new JsonObject();
        }

        foreach (var (element, child) in node.Children.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            result[element] = Write(child);
        }

        return result;
    }

    public IEnumerator<FieldPath> GetEnumerator() => _paths.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class Node
    {
        public Dictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);

        public bool IsMember { get; set; }
    }
}
