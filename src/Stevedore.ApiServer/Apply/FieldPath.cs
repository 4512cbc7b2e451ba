using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Apply;

/// <summary>
/// The path of one field in an object, as a list of elements in the upstream FieldsV1
/// spelling: <c>f:name</c> (a field or map entry), <c>k:{"name":"x"}</c> (a map-list item by its
/// keys), <c>v:"val"</c> (a set item by value) and <c>i:3</c> (a list item by index).
/// </summary>
public sealed class FieldPath : IEquatable<FieldPath>
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // A path is its parent plus one element, so Child is O(1) and shares the parent: tracking
    // managed fields builds a path for every field of every object written. The hash is chained
    // the same way; the element array is built only when someone asks for it.
    private readonly FieldPath? _parent;
    private readonly string? _element;
    private readonly int _hash;
    private string[]? _elements;

    private FieldPath()
    {
        _elements = [];
    }

    private FieldPath(FieldPath parent, string element)
    {
        _parent = parent;
        _element = element;
        Depth = parent.Depth + 1;
        _hash = HashCode.Combine(parent._hash, StringComparer.Ordinal.GetHashCode(element));
    }

    public FieldPath(IEnumerable<string> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        var path = Root;
        foreach (var element in elements)
        {
            path = path.Child(element);
        }

        _parent = path._parent;
        _element = path._element;
        Depth = path.Depth;
        _hash = path._hash;
    }

    public static FieldPath Root { get; } = new();

    public IReadOnlyList<string> Elements => _elements ??= BuildElements();

    public int Depth { get; }

    public FieldPath Child(string element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return new FieldPath(this, element);
    }

    public FieldPath? Parent => Depth == 0 ? null : _parent;

    /// <summary>True when this path equals <paramref name="other"/> or is one of its ancestors.</summary>
    public bool IsPrefixOf(FieldPath other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Depth < Depth)
        {
            return false;
        }

        var ancestor = other;
        while (ancestor.Depth > Depth)
        {
            ancestor = ancestor._parent!;
        }

        return Equals(ancestor);
    }

    /// <summary>The element naming field or map entry <paramref name="name"/>.</summary>
    public static string Field(string name) => "f:" + name;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_keyBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_keyWriter;

    /// <summary>The element naming a map-list item by its key fields (sorted by name, as upstream).</summary>
    public static string Key(IEnumerable<KeyValuePair<string, JsonNode?>> keys)
    {
        // Written straight to UTF-8 (what a JsonObject of the sorted keys would serialize to) with a
        // writer kept per thread: every write computes this for every item of every associative
        // list it tracks.
        var sorted = keys as KeyValuePair<string, JsonNode?>[] ?? [.. keys];
        if (sorted.Length > 1)
        {
            sorted = [.. sorted];
            Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        }

        var buffer = t_keyBuffer ??= new ArrayBufferWriter<byte>(128);
        var writer = t_keyWriter ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Compact.Encoder });
        buffer.ResetWrittenCount();
        buffer.Write("k:"u8);
        writer.Reset(buffer);
        writer.WriteStartObject();
        foreach (var (name, value) in sorted)
        {
            writer.WritePropertyName(name);
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                value.WriteTo(writer, Compact);
            }
        }

        writer.WriteEndObject();
        writer.Flush();
        var element = Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (buffer.Capacity > 16 * 1024)
        {
            t_keyBuffer = null;
            t_keyWriter = null;
        }

        return element;
    }

    /// <summary>The element naming a set item by its value.</summary>
    public static string Value(JsonNode? value) => "v:" + Json(value);

    public static string Index(int index) => "i:" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Rewrites an element read from stored FieldsV1 into the spelling this code produces.</summary>
    public static string Canonical(string element)
    {
        ArgumentNullException.ThrowIfNull(element);
        try
        {
            return element switch
            {
                _ when element.StartsWith("k:", StringComparison.Ordinal) && JsonNode.Parse(element[2..]) is JsonObject keys => Key(keys),
                _ when element.StartsWith("v:", StringComparison.Ordinal) => Value(JsonNode.Parse(element[2..])),
                _ => element,
            };
        }
        catch (JsonException)
        {
            return element;
        }
    }

    internal static string Json(JsonNode? value) => value?.ToJsonString(Compact) ?? "null";

    /// <summary>The upstream display form, e.g. <c>.spec.containers[name="nginx"].image</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var element in Elements)
        {
            var body = element.Length >= 2 ? element[2..] : element;
            switch (element[..Math.Min(2, element.Length)])
            {
                case "f:":
                    text.Append('.').Append(body);
                    break;
                case "k:":
                    var keys = JsonNode.Parse(body) as JsonObject ?? [];
                    text.Append('[').AppendJoin(',', keys.Select(k => $"{k.Key}={Json(k.Value)}")).Append(']');
                    break;
                case "v:":
                    text.Append("[=").Append(body).Append(']');
                    break;
                case "i:":
                    text.Append('[').Append(body).Append(']');
                    break;
                default:
                    text.Append('.').Append(element);
                    break;
            }
        }

        return text.ToString();
    }

    public bool Equals(FieldPath? other)
    {
        if (other is null || _hash != other._hash || Depth != other.Depth)
        {
            return false;
        }

        for (FieldPath? a = this, b = other; a is not null && !ReferenceEquals(a, b); a = a._parent, b = b!._parent)
        {
            if (!string.Equals(a._element, b!._element, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as FieldPath);

    public override int GetHashCode() => _hash;

    private string[] BuildElements()
    {
        var elements = new string[Depth];
        var path = this;
        for (var i = Depth - 1; i >= 0; i--)
        {
            elements[i] = path._element!;
            path = path._parent!;
        }

        return elements;
    }
}
