using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace Stevedore.Network.Dns.Wire;

/// <summary>A question as read from a message: name in presentation form (final dot, case kept).</summary>
public sealed record DnsQuestion(string Name, ushort Type, ushort Class);

/// <summary>A record as read from a message; <see cref="Data"/> is its RDATA in presentation form.</summary>
public sealed record DnsResourceRecord(string Name, ushort Type, ushort Class, uint Ttl, string Data)
{
    public override string ToString() => $"{Name} {Ttl} {DnsType.Name(Type)} {Data}";
}

/// <summary>
/// A whole DNS message decoded for reading: the client side of the codec, used by tests, the
/// benchmark's load generator and diagnostics (the server reads requests with <see cref="DnsQuery"/>).
/// </summary>
public sealed record DnsMessage
{
    public ushort Id { get; init; }

    public bool IsResponse { get; init; }

    public int Opcode { get; init; }

    public bool Authoritative { get; init; }

    public bool Truncated { get; init; }

    public bool RecursionDesired { get; init; }

    public bool RecursionAvailable { get; init; }

    /// <summary>The response code, with the OPT record's extended bits when there is one.</summary>
    public DnsResponseCode ResponseCode { get; init; }

    public IReadOnlyList<DnsQuestion> Questions { get; init; } = [];

    public IReadOnlyList<DnsResourceRecord> Answers { get; init; } = [];

    public IReadOnlyList<DnsResourceRecord> Authority { get; init; } = [];

    /// <summary>The additional section without the OPT record.</summary>
    public IReadOnlyList<DnsResourceRecord> Additional { get; init; } = [];

    /// <summary>The UDP payload size of the OPT record, or null without one.</summary>
    public int? EdnsUdpSize { get; init; }

    /// <summary>Builds a query with one question; <paramref name="ednsUdpSize"/> adds an OPT record.</summary>
    public static byte[] BuildQuery(ushort id, string name, ushort type, bool recursionDesired = true, int? ednsUdpSize = null, ushort @class = DnsClass.IN)
    {
        var wire = DnsName.Encode(name);
        var message = new byte[12 + wire.Length + 4 + (ednsUdpSize is null ? 0 : 11)];
        BinaryPrimitives.WriteUInt16BigEndian(message, id);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), recursionDesired ? DnsFlags.RecursionDesired : (ushort)0);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), 1);
        wire.CopyTo(message, 12);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(12 + wire.Length), type);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(14 + wire.Length), @class);
        if (ednsUdpSize is { } size)
        {
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(10), 1);
            var opt = message.AsSpan(16 + wire.Length);
            opt[0] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(opt[1..], DnsType.OPT);
            BinaryPrimitives.WriteUInt16BigEndian(opt[3..], (ushort)size);
        }

        return message;
    }

    /// <summary>Decodes a message.</summary>
    /// <exception cref="FormatException">The message is malformed.</exception>
    public static DnsMessage Parse(ReadOnlySpan<byte> message)
    {
        if (message.Length < 12)
        {
            throw new FormatException($"a DNS message has a 12-byte header; got {message.Length} bytes");
        }

        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        var counts = new int[4];
        for (var i = 0; i < 4; i++)
        {
            counts[i] = BinaryPrimitives.ReadUInt16BigEndian(message[(4 + (2 * i))..]);
        }

        var position = 12;
        var questions = new List<DnsQuestion>();
        for (var i = 0; i < counts[0]; i++)
        {
            var name = ReadName(message, ref position);
            Need(message, position, 4);
            questions.Add(new DnsQuestion(name, BinaryPrimitives.ReadUInt16BigEndian(message[position..]), BinaryPrimitives.ReadUInt16BigEndian(message[(position + 2)..])));
            position += 4;
        }

        var sections = new List<DnsResourceRecord>[3];
        int? ednsSize = null;
        var extendedCode = 0;
        for (var section = 0; section < 3; section++)
        {
            sections[section] = [];
            for (var i = 0; i < counts[section + 1]; i++)
            {
                var name = ReadName(message, ref position);
                Need(message, position, 10);
                var type = BinaryPrimitives.ReadUInt16BigEndian(message[position..]);
                var @class = BinaryPrimitives.ReadUInt16BigEndian(message[(position + 2)..]);
                var ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(position + 4)..]);
                var length = BinaryPrimitives.ReadUInt16BigEndian(message[(position + 8)..]);
                position += 10;
                Need(message, position, length);
                if (type == DnsType.OPT && section == 2)
                {
                    ednsSize = @class;
                    extendedCode = (int)(ttl >> 24);
                }
                else
                {
                    sections[section].Add(new DnsResourceRecord(name, type, @class, ttl, DataText(message, position, length, type)));
                }

                position += length;
            }
        }

        return new DnsMessage
        {
            Id = BinaryPrimitives.ReadUInt16BigEndian(message),
            IsResponse = (flags & DnsFlags.Response) != 0,
            Opcode = (flags & DnsFlags.OpcodeMask) >> 11,
            Authoritative = (flags & DnsFlags.Authoritative) != 0,
            Truncated = (flags & DnsFlags.Truncated) != 0,
            RecursionDesired = (flags & DnsFlags.RecursionDesired) != 0,
            RecursionAvailable = (flags & DnsFlags.RecursionAvailable) != 0,
            ResponseCode = (DnsResponseCode)((extendedCode << 4) | (flags & DnsFlags.ResponseCodeMask)),
            Questions = questions,
            Answers = sections[0],
            Authority = sections[1],
            Additional = sections[2],
            EdnsUdpSize = ednsSize,
        };
    }

    private static void Need(ReadOnlySpan<byte> message, int position, int count)
    {
        if (position + count > message.Length)
        {
            throw new FormatException($"the message ends at byte {message.Length}, inside a record or question at {position}");
        }
    }

    private static string ReadName(ReadOnlySpan<byte> message, ref int position)
    {
        Span<byte> wire = stackalloc byte[DnsName.MaxWireLength];
        if (!DnsName.TryRead(message, position, wire, out var length, out var next))
        {
            throw new FormatException($"malformed name at byte {position}");
        }

        position = next;
        return DnsName.ToText(wire[..length]);
    }

    private static string DataText(ReadOnlySpan<byte> message, int position, int length, ushort type)
    {
        var data = message.Slice(position, length);
        var inv = CultureInfo.InvariantCulture;
        switch (type)
        {
            case DnsType.A when length == 4:
            case DnsType.AAAA when length == 16:
                return new IPAddress(data).ToString();
            case DnsType.CNAME or DnsType.PTR or DnsType.NS:
                {
                    var at = position;
                    return ReadName(message, ref at);
                }

            case DnsType.SRV when length > 6:
                {
                    var at = position + 6;
                    return string.Create(inv, $"{BinaryPrimitives.ReadUInt16BigEndian(data)} {BinaryPrimitives.ReadUInt16BigEndian(data[2..])} {BinaryPrimitives.ReadUInt16BigEndian(data[4..])} {ReadName(message, ref at)}");
                }

            case DnsType.SOA:
                {
                    var at = position;
                    var primary = ReadName(message, ref at);
                    var mailbox = ReadName(message, ref at);
                    Need(message, at, 20);
                    var n = message[at..];
                    return string.Create(inv, $"{primary} {mailbox} {BinaryPrimitives.ReadUInt32BigEndian(n)} {BinaryPrimitives.ReadUInt32BigEndian(n[4..])} {BinaryPrimitives.ReadUInt32BigEndian(n[8..])} {BinaryPrimitives.ReadUInt32BigEndian(n[12..])} {BinaryPrimitives.ReadUInt32BigEndian(n[16..])}");
                }

            case DnsType.TXT:
                {
                    var parts = new List<string>();
                    var at = 0;
                    while (at < data.Length)
                    {
                        int size = data[at];
                        if (at + 1 + size > data.Length)
                        {
                            throw new FormatException("TXT character-string runs past its record");
                        }

                        parts.Add("\"" + Encoding.ASCII.GetString(data.Slice(at + 1, size)) + "\"");
                        at += 1 + size;
                    }

                    return string.Join(' ', parts);
                }

            default:
                return "\\# " + length.ToString(inv) + (length > 0 ? " " + Convert.ToHexStringLower(data) : "");
        }
    }
}
