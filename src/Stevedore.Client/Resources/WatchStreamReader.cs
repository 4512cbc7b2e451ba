using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
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

    /// <summary>The events of <paramref name="stream"/> until it ends.</summary>
    public static async IAsyncEnumerable<WatchEvent<T>> ReadAsync<T>(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
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
                        yield return Parse<T>(line);
                    }
                }

                if (result.IsCompleted)
                {
                    // A last line without its newline still counts, as it would for a line reader.
                    if (!IsBlank(buffer))
                    {
                        yield return Parse<T>(buffer);
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
    public static WatchEvent<T> Parse<T>(ReadOnlySequence<byte> line)
        where T : class =>
        line.IsSingleSegment ? Parse<T>(line.FirstSpan) : Parse<T>(line.ToArray());

    /// <inheritdoc cref="Parse{T}(ReadOnlySequence{byte})"/>
    public static WatchEvent<T> Parse<T>(ReadOnlySpan<byte> line)
        where T : class
    {
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
                    status = JsonSerializer.Deserialize<V1Status>(ref reader, Options);
                }
                else
                {
                    obj = JsonSerializer.Deserialize<T>(ref reader, Options);
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
                status = element.Deserialize<V1Status>(Options);
            }
            else
            {
                obj = element.Deserialize<T>(Options);
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
}
