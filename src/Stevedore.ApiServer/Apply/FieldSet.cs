using System.Buffers;
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
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Serialization.Json.WriterOptions))
        {
            WriteFieldsV1(writer);
        }

        // Parsed, not built: the object stays its JSON text until someone reads into it, and is
        // written out again as that text (which is all that happens to it on a write).
        return (JsonObject)JsonNode.Parse(buffer.WrittenSpan, Serialization.Json.NodeOptions)!;
    }

    /// <summary>Writes the FieldsV1 object (see <see cref="ToFieldsV1"/>).</summary>
    public void WriteFieldsV1(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
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

        Write(writer, root);
    }

    private static void Write(Utf8JsonWriter writer, Node node)
    {
        writer.WriteStartObject();
        if (node.IsMember && node.Children.Count > 0)
        {
            writer.WriteStartObject(".");
            writer.WriteEndObject();
        }

        if (node.Children.Count > 0)
        {
            var elements = new string[node.Children.Count];
            node.Children.Keys.CopyTo(elements, 0);
            Array.Sort(elements, StringComparer.Ordinal);
            foreach (var element in elements)
            {
                writer.WritePropertyName(element);
                Write(writer, node.Children[element]);
            }
        }

        writer.WriteEndObject();
    }

    public IEnumerator<FieldPath> GetEnumerator() => _paths.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class Node
    {
        public Dictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);

        public bool IsMember { get; set; }
    }
}
