using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Stevedore.Client.Resources;

/// <summary>
/// Reads a watch response: one JSON event per line, <c>{"type":...,"object":...}</c>. Lines are
/// cut from the raw bytes and each object is deserialized straight from them in one pass (no
/// string per line, no intermediate document), because every informer decodes every event of
/// its resource this way.
/// </summary>
internal static class WatchStreamReader
{
    private static readonly JsonSerializerOptions Options = KubernetesOptions();

    /// <summary>
    /// <see cref="Options"/> that skip <c>metadata.managedFields</c> while decoding (never built, left
    /// null), for informers that trim them as upstream's scheduler and controller manager do.
    /// </summary>
    private static readonly JsonSerializerOptions TrimmingOptions = new(Options) { Converters = { new SkippedManagedFieldsConverter() } };

    /// <summary>The events of <paramref name="stream"/> until it ends.</summary>
    /// <param name="trimManagedFields">Decode objects without their <c>metadata.managedFields</c>.</param>
    public static async IAsyncEnumerable<WatchEvent<T>> ReadAsync<T>(Stream stream, bool trimManagedFields, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {

        var pipe = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } end)
                {
                    var line = buffer.Slice(0, end);
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                    if (!IsBlank(line))
                    {
                        yield return Parse<T>(line, trimManagedFields);
                    }
                }

                if (result.IsCompleted)
                {
                    // A last line without its newline still counts, as it would for a line reader.
                    if (!IsBlank(buffer))
                    {
                        yield return Parse<T>(buffer, trimManagedFields);
                    }

                    yield break;
                }

                pipe.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await pipe.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One event line.</summary>
    /// <exception cref="JsonException">Not a watch event.</exception>
    /// <param name="trimManagedFields">Decode the object without its <c>metadata.managedFields</c>.</param>
    public static WatchEvent<T> Parse<T>(ReadOnlySequence<byte> line, bool trimManagedFields = false)
        where T : class =>
        line.IsSingleSegment ? Parse<T>(line.FirstSpan, trimManagedFields) : Parse<T>(line.ToArray(), trimManagedFields);

    /// <inheritdoc cref="Parse{T}(ReadOnlySequence{byte}, bool)"/>
    public static WatchEvent<T> Parse<T>(ReadOnlySpan<byte> line, bool trimManagedFields = false)
        where T : class
    {
        var options = trimManagedFields ? TrimmingOptions : Options;
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a watch event is not a JSON object");
        }

        WatchEventType? type = null;
        T? obj = null;
        V1Status? status = null;
        JsonElement? early = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = TypeOf(reader.GetString());
            }
            else if (reader.ValueTextEquals("object"u8))
            {
                reader.Read();
                if (type is null)
                {
                    // The object came before the type: keep it until we know what it is.
                    early = JsonElement.ParseValue(ref reader);
                }
                else if (type == WatchEventType.Error)
                {
                    status = JsonSerializer.Deserialize<V1Status>(ref reader, options);
                }
                else
                {
                    obj = JsonSerializer.Deserialize<T>(ref reader, options);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (type is not { } known)
        {
            throw new JsonException("a watch event without a type");
        }

        if (early is { } element)
        {
            if (known == WatchEventType.Error)
            {
                status = element.Deserialize<V1Status>(options);
            }
            else
            {
                obj = element.Deserialize<T>(options);
            }
        }

        return new WatchEvent<T>(known, obj, status);
    }

    private static WatchEventType TypeOf(string? text) => text switch
    {
        "ADDED" => WatchEventType.Added,
        "MODIFIED" => WatchEventType.Modified,
        "DELETED" => WatchEventType.Deleted,
        "BOOKMARK" => WatchEventType.Bookmark,
        "ERROR" => WatchEventType.Error,
        _ => throw new JsonException($"unknown watch event type '{text}'"),
    };

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\r' or (byte)'\t'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// The serializer options of the official client (its converters for quantities, int-or-string,
    /// dates...). The client exposes them only through <see cref="KubernetesJson.AddJsonOptions"/>,
    /// whose callback receives the instance; nothing is changed here.
    /// </summary>
    private static JsonSerializerOptions KubernetesOptions()
    {
        JsonSerializerOptions? options = null;
        KubernetesJson.AddJsonOptions(o => options = o);
        return options ?? throw new InvalidOperationException("KubernetesJson did not hand out its serializer options");
    }

    /// <summary>Reads <c>metadata.managedFields</c> as absent: the value is skipped unread.</summary>
    private sealed class SkippedManagedFieldsConverter : JsonConverter<IList<V1ManagedFieldsEntry>>
    {
        public override IList<V1ManagedFieldsEntry>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            reader.Skip();
            return null;
        }

        public override void Write(Utf8JsonWriter writer, IList<V1ManagedFieldsEntry> value, JsonSerializerOptions options) =>
            throw new NotSupportedException("only used to decode");
    }
}
