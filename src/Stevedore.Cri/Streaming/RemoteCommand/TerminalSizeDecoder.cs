using System.Text;
using System.Text.Json;

namespace Stevedore.Cri.Streaming.RemoteCommand;

/// <summary>
/// Splits the resize stream, a sequence of JSON objects (<c>{"Width":80,"Height":24}</c>, as Go's
/// encoder writes them, names matched case-insensitively like Go's decoder), into sizes, whatever
/// pieces the bytes arrive in.
/// </summary>
public sealed class TerminalSizeDecoder
{
    private const int MaxPending = 64 * 1024;
    private byte[] _pending = [];

    /// <summary>The sizes completed by <paramref name="bytes"/>.</summary>
    /// <exception cref="JsonException">The stream is not a sequence of JSON objects.</exception>
    public IReadOnlyList<TerminalSize> Feed(ReadOnlySpan<byte> bytes)
    {
        _pending = [.. _pending, .. bytes];
        var sizes = new List<TerminalSize>();
        while (true)
        {
            var reader = new Utf8JsonReader(_pending, isFinalBlock: false, state: default);
            if (!reader.Read())
            {
                break;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException($"a resize message must be a JSON object, not {reader.TokenType}");
            }

            var start = (int)reader.TokenStartIndex;
            if (!reader.TrySkip())
            {
                break;
            }

            var end = (int)reader.BytesConsumed;
            sizes.Add(Parse(_pending.AsSpan(start, end - start)));
            _pending = _pending[end..];
        }

        if (_pending.Length > MaxPending)
        {
            throw new JsonException("a resize message is too long");
        }

        return sizes;
    }

    /// <summary>The JSON of one size, as the Go client writes it.</summary>
    public static byte[] Encode(TerminalSize size) => Encoding.UTF8.GetBytes($"{{\"Width\":{size.Width},\"Height\":{size.Height}}}");

    private static TerminalSize Parse(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        ushort width = 0, height = 0;
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name.Equals("width", StringComparison.OrdinalIgnoreCase))
            {
                width = property.Value.GetUInt16();
            }
            else if (property.Name.Equals("height", StringComparison.OrdinalIgnoreCase))
            {
                height = property.Value.GetUInt16();
            }
        }

        return new TerminalSize(width, height);
    }
}
