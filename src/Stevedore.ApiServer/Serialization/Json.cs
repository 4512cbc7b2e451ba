using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Serialization;

/// <summary>Shared JSON settings and small helpers over <see cref="JsonNode"/>.</summary>
public static class Json
{
    /// <summary>Compact output that keeps characters like '&lt;' readable, as upstream does.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256, AllowTrailingCommas = false };

    // Every write and every watch event is serialized here: one buffer and writer per thread,
    // reused, so each call allocates only its result (not a growing writer buffer, a growing
    // stream and the copy out of it).
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    // Buffers grown past this (a big LIST) are not kept.
    private const int KeptBufferBytes = 1024 * 1024;

    public static byte[] Serialize(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        try
        {
            node.WriteTo(writer);
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity > KeptBufferBytes)
            {
                t_buffer = null;
                t_writer = null;
            }
        }
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_textBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_textWriter;

    /// <summary>
    /// This thread's writer for building one JSON value as text (see <see cref="ReturnWriterAsObject"/>):
    /// objects that are only stored and sent are cheaper written than built as nodes.
    /// </summary>
    public static Utf8JsonWriter RentWriter()
    {
        var buffer = t_textBuffer ??= new ArrayBufferWriter<byte>(4 * 1024);
        var writer = t_textWriter ??= new Utf8JsonWriter(buffer, WriterOptions);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        return writer;
    }

    /// <summary>The object written with <see cref="RentWriter"/>, parsed (its members are built only when read).</summary>
    public static JsonObject ReturnWriterAsObject(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Flush();
        var buffer = t_textBuffer!;
        var obj = (JsonObject)JsonNode.Parse(buffer.WrittenSpan, NodeOptions)!;
        if (buffer.Capacity > KeptBufferBytes)
        {
            t_textBuffer = null;
            t_textWriter = null;
        }

        return obj;
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_leftBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_leftWriter;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_rightBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_rightWriter;

    /// <summary>
    /// True when both nodes serialize to the same bytes (so they are deep-equal); false says nothing.
    /// Much cheaper than <see cref="JsonNode.DeepEquals"/> on nodes parsed from bytes and not yet
    /// read: writing such a node streams its JSON, while DeepEquals builds a dictionary for every
    /// object in both trees first. Objects read from storage (and their clones) are of that kind.
    /// </summary>
    public static bool SameSerialization(JsonNode? a, JsonNode? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null)
        {
            return false;
        }

        var left = Write(a, ref t_leftBuffer, ref t_leftWriter);
        var right = Write(b, ref t_rightBuffer, ref t_rightWriter);
        var same = left.WrittenSpan.SequenceEqual(right.WrittenSpan);
        if (left.Capacity > KeptBufferBytes || right.Capacity > KeptBufferBytes)
        {
            t_leftBuffer = t_rightBuffer = null;
            t_leftWriter = t_rightWriter = null;
        }

        return same;
    }

    /// <summary><see cref="JsonNode.DeepEquals"/>, answered by <see cref="SameSerialization"/> when the bytes match (the usual case when it is asked).</summary>
    public static bool DeepEquals(JsonNode? a, JsonNode? b) =>
        SameSerialization(a, b) || JsonNode.DeepEquals(a, b);

    private static ArrayBufferWriter<byte> Write(JsonNode node, ref ArrayBufferWriter<byte>? buffer, ref Utf8JsonWriter? writer)
    {
        buffer ??= new ArrayBufferWriter<byte>(4 * 1024);
        writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        node.WriteTo(writer);
        writer.Flush();
        return buffer;
    }

    public static JsonObject ParseObject(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256 });
        return JsonNode.Parse(ref reader, NodeOptions) as JsonObject ?? throw new JsonException("expected a JSON object");
    }

    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta)
        {
            return meta;
        }

        meta = new JsonObject();
        obj["metadata"] = meta;
        return meta;
    }

    public static string? GetString(JsonObject? obj, string property) =>
        obj?[property] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static Dictionary<string, string> StringMap(JsonNode? node)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is JsonObject obj)
        {
            foreach (var (key, value) in obj)
            {
                if (value is JsonValue v && v.TryGetValue<string>(out var s))
                {
                    map[key] = s;
                }
            }
        }

        return map;
    }
}
