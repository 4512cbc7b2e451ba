using System.Text;

namespace Stevedore.Network.Dns.Wire;

/// <summary>
/// Domain names in wire form (RFC 1035 3.1: length-prefixed labels ending in a zero byte) and the
/// lookup keys made from them: lower case, dot-separated, without the final dot
/// (<c>web-0.nginx.default.svc.cluster.local</c>).
/// </summary>
public static class DnsName
{
    /// <summary>The longest name on the wire, the final zero byte included.</summary>
    public const int MaxWireLength = 255;

    /// <summary>The longest label.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>The longest key <see cref="ToKey"/> produces (a 255-byte name has at most 253 characters).</summary>
    public const int MaxKeyLength = 254;

    /// <summary>Encodes a dotted name (a final dot is optional; "" and "." are the root).</summary>
    /// <exception cref="FormatException">An empty label, a label over 63 bytes, a name over 255 bytes, or a non-ASCII character.</exception>
    public static byte[] Encode(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryEncode(name, out var wire, out var problem) ? wire : throw new FormatException($"invalid DNS name \"{name}\": {problem}");
    }

    /// <summary>Encodes a dotted name; false with the reason when it is not a valid name.</summary>
    public static bool TryEncode(string name, out byte[] wire, out string problem)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = name.EndsWith('.') ? name.AsSpan(0, name.Length - 1) : name.AsSpan();
        problem = "";
        if (text.Length == 0)
        {
            wire = [0];
            return true;
        }

        // Every dot becomes a length byte, plus the first length and the final zero: exactly two more bytes than characters.
        wire = [];
        if (text.Length + 2 > MaxWireLength)
        {
            problem = $"longer than {MaxWireLength} bytes";
            return false;
        }

        var buffer = new byte[text.Length + 2];
        var lengthAt = 0;
        var position = 1;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == '.')
            {
                var length = position - lengthAt - 1;
                if (length == 0 || length > MaxLabelLength)
                {
                    var label = text[(i - length)..i].ToString();
                    problem = length == 0 ? "empty label" : $"label \"{label}\" is longer than {MaxLabelLength} characters";
                    return false;
                }

                buffer[lengthAt] = (byte)length;
                lengthAt = position++;
                continue;
            }

            if (text[i] > 127)
            {
                var start = text[..i].LastIndexOf('.') + 1;
                var stop = text[i..].IndexOf('.');
                problem = $"label \"{text[start..(stop < 0 ? text.Length : i + stop)].ToString()}\" is not ASCII";
                return false;
            }

            buffer[position++] = (byte)text[i];
        }

        buffer[lengthAt] = 0;
        wire = buffer;
        return true;
    }

    /// <summary>
    /// Reads the name at <paramref name="offset"/> of <paramref name="message"/>, following compression
    /// pointers, into <paramref name="wire"/> (uncompressed, case kept). <paramref name="next"/> is the
    /// offset after the name where it was found. False for a malformed name: past the end, a reserved
    /// label type, a pointer that does not point backwards (so no loop can exist), a label or name too long.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> message, int offset, Span<byte> wire, out int wireLength, out int next)
    {
        wireLength = 0;
        next = -1;
        var position = offset;
        // The lowest offset reached so far: every pointer must go strictly below it.
        var floor = offset;
        while (true)
        {
            if (position >= message.Length)
            {
                return false;
            }

            var length = message[position];
            switch (length & 0xC0)
            {
                case 0x00:
                    if (length == 0)
                    {
                        if (wireLength + 1 > MaxWireLength || wireLength + 1 > wire.Length)
                        {
                            return false;
                        }

                        wire[wireLength++] = 0;
                        if (next < 0)
                        {
                            next = position + 1;
                        }

                        return true;
                    }

                    if (position + 1 + length > message.Length || wireLength + 1 + length + 1 > MaxWireLength || wireLength + 1 + length > wire.Length)
                    {
                        return false;
                    }

                    message.Slice(position, length + 1).CopyTo(wire[wireLength..]);
                    wireLength += length + 1;
                    position += length + 1;
                    break;
                case 0xC0:
                    if (position + 1 >= message.Length)
                    {
                        return false;
                    }

                    var target = ((length & 0x3F) << 8) | message[position + 1];
                    if (target >= floor)
                    {
                        return false;
                    }

                    if (next < 0)
                    {
                        next = position + 2;
                    }

                    floor = target;
                    position = target;
                    break;
                default:
                    // 0x40 (extended label types, obsolete) and 0x80 (reserved).
                    return false;
            }
        }
    }

    /// <summary>The offset after the name at <paramref name="offset"/> (a pointer ends it), or -1 when malformed.</summary>
    public static int Skip(ReadOnlySpan<byte> message, int offset)
    {
        var position = offset;
        var total = 0;
        while (position < message.Length)
        {
            var length = message[position];
            if (length == 0)
            {
                return position + 1;
            }

            if ((length & 0xC0) == 0xC0)
            {
                return position + 2 <= message.Length ? position + 2 : -1;
            }

            if ((length & 0xC0) != 0 || (total += length + 1) >= MaxWireLength)
            {
                return -1;
            }

            position += length + 1;
        }

        return -1;
    }

    /// <summary>
    /// The lookup key of a wire name: ASCII lower case, labels joined by dots, no final dot ("" for
    /// the root). A dot inside a label becomes <c>\0</c>, so such a name can never equal a key of
    /// separate labels. Returns the number of characters written.
    /// </summary>
    public static int ToKey(ReadOnlySpan<byte> wire, Span<char> key)
    {
        var written = 0;
        var position = 0;
        while (position < wire.Length && wire[position] != 0)
        {
            int length = wire[position++];
            if (written > 0)
            {
                key[written++] = '.';
            }

            foreach (var b in wire.Slice(position, length))
            {
                key[written++] = b switch
                {
                    >= (byte)'A' and <= (byte)'Z' => (char)(b + 32),
                    (byte)'.' => '\0',
                    _ => (char)b,
                };
            }

            position += length;
        }

        return written;
    }

    /// <summary>The key of a wire name as a string (see <see cref="ToKey"/>).</summary>
    public static string ToKey(ReadOnlySpan<byte> wire)
    {
        Span<char> key = stackalloc char[MaxKeyLength];
        return new string(key[..ToKey(wire, key)]);
    }

    /// <summary>The name as text with a final dot, case kept (for messages and tests).</summary>
    public static string ToText(ReadOnlySpan<byte> wire)
    {
        var text = new StringBuilder();
        var position = 0;
        while (position < wire.Length && wire[position] != 0)
        {
            int length = wire[position++];
            foreach (var b in wire.Slice(position, length))
            {
                if (b is > 32 and < 127 && b != '.' && b != '\\')
                {
                    text.Append((char)b);
                }
                else
                {
                    // Presentation format escapes (RFC 4343): \DDD.
                    text.Append('\\').Append(b.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            text.Append('.');
            position += length;
        }

        return text.Length == 0 ? "." : text.ToString();
    }

    /// <summary>Whether <paramref name="key"/> is <paramref name="zone"/> or a name below it.</summary>
    public static bool IsAtOrBelow(ReadOnlySpan<char> key, string zone)
    {
        if (zone.Length == 0 || key.Length == zone.Length)
        {
            return key.SequenceEqual(zone) || zone.Length == 0;
        }

        return key.Length > zone.Length && key[^(zone.Length + 1)] == '.' && key.EndsWith(zone, StringComparison.Ordinal);
    }
}
