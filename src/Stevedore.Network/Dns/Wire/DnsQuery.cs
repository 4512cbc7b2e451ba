using System.Buffers.Binary;

namespace Stevedore.Network.Dns.Wire;

/// <summary>What reading a request decided.</summary>
public enum DnsParseResult
{
    /// <summary>A well-formed query with one question.</summary>
    Ok,

    /// <summary>Not worth an answer: shorter than a header, or itself a response (answering could loop).</summary>
    Drop,

    /// <summary>Malformed: answer FORMERR.</summary>
    FormatError,

    /// <summary>An opcode other than QUERY: answer NOTIMP.</summary>
    NotImplemented,

    /// <summary>An EDNS version above 0: answer BADVERS.</summary>
    BadVersion,
}

/// <summary>
/// One request as the server reads it: header, the single question (name kept as sent, plus its
/// lookup key) and the EDNS options that shape the answer. Mutable and reused by one receive loop,
/// so reading a query allocates nothing.
/// </summary>
public sealed class DnsQuery
{
    /// <summary>The smallest UDP payload a client always accepts (RFC 1035).</summary>
    public const int ClassicUdpSize = 512;

    private const int HeaderLength = 12;

    private readonly byte[] _nameWire = new byte[DnsName.MaxWireLength];
    private readonly char[] _key = new char[DnsName.MaxKeyLength];

    public ushort Id { get; private set; }

    public int Opcode { get; private set; }

    public bool RecursionDesired { get; private set; }

    public bool CheckingDisabled { get; private set; }

    /// <summary>Whether the question was read (a FORMERR about later sections still echoes it).</summary>
    public bool HasQuestion { get; private set; }

    public ushort Type { get; private set; }

    public ushort Class { get; private set; }

    /// <summary>The question name, uncompressed, in the case the client sent (echoed as is).</summary>
    public ReadOnlySpan<byte> NameWire => _nameWire.AsSpan(0, NameWireLength);

    public int NameWireLength { get; private set; }

    /// <summary>The question name as a lookup key (see <see cref="DnsName.ToKey(ReadOnlySpan{byte}, Span{char})"/>).</summary>
    public ReadOnlySpan<char> Key => _key.AsSpan(0, KeyLength);

    public int KeyLength { get; private set; }

    /// <summary>Whether the request carried an OPT record (then the response carries one too).</summary>
    public bool HasEdns { get; private set; }

    /// <summary>The UDP payload size the client accepts: its EDNS size, never below 512.</summary>
    public int UdpPayloadSize { get; private set; }

    public byte EdnsVersion { get; private set; }

    public bool DnssecOk { get; private set; }

    /// <summary>Reads <paramref name="message"/>; on anything but <see cref="DnsParseResult.Drop"/> the header fields are set.</summary>
    public DnsParseResult Parse(ReadOnlySpan<byte> message)
    {
        Id = 0;
        Opcode = 0;
        RecursionDesired = CheckingDisabled = HasQuestion = HasEdns = DnssecOk = false;
        Type = Class = 0;
        NameWireLength = KeyLength = 0;
        UdpPayloadSize = ClassicUdpSize;
        EdnsVersion = 0;
        if (message.Length < HeaderLength)
        {
            return DnsParseResult.Drop;
        }

        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if ((flags & DnsFlags.Response) != 0)
        {
            return DnsParseResult.Drop;
        }

        Id = BinaryPrimitives.ReadUInt16BigEndian(message);
        Opcode = (flags & DnsFlags.OpcodeMask) >> 11;
        RecursionDesired = (flags & DnsFlags.RecursionDesired) != 0;
        CheckingDisabled = (flags & DnsFlags.CheckingDisabled) != 0;
        if (Opcode != 0)
        {
            return DnsParseResult.NotImplemented;
        }

        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var authorities = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        var additionals = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (questions != 1)
        {
            return DnsParseResult.FormatError;
        }

        if (!DnsName.TryRead(message, HeaderLength, _nameWire, out var wireLength, out var position) || position + 4 > message.Length)
        {
            return DnsParseResult.FormatError;
        }

        NameWireLength = wireLength;
        KeyLength = DnsName.ToKey(NameWire, _key);
        Type = BinaryPrimitives.ReadUInt16BigEndian(message[position..]);
        Class = BinaryPrimitives.ReadUInt16BigEndian(message[(position + 2)..]);
        HasQuestion = true;
        position += 4;

        // Answer and authority records have no business in a query, but are legal: step over them.
        for (var i = 0; i < answers + authorities; i++)
        {
            if ((position = SkipRecord(message, position, out _)) < 0)
            {
                return DnsParseResult.FormatError;
            }
        }

        for (var i = 0; i < additionals; i++)
        {
            var start = position;
            if ((position = SkipRecord(message, position, out var type)) < 0)
            {
                return DnsParseResult.FormatError;
            }

            if (type == DnsType.OPT)
            {
                // RFC 6891 6.1.1: one OPT at most, owned by the root.
                if (HasEdns || message[start] != 0)
                {
                    return DnsParseResult.FormatError;
                }

                HasEdns = true;
                var fixedPart = message[(start + 1)..];
                UdpPayloadSize = Math.Max(ClassicUdpSize, (int)BinaryPrimitives.ReadUInt16BigEndian(fixedPart[2..]));
                EdnsVersion = fixedPart[5];
                DnssecOk = (fixedPart[6] & 0x80) != 0;
            }
        }

        return HasEdns && EdnsVersion != 0 ? DnsParseResult.BadVersion : DnsParseResult.Ok;
    }

    /// <summary>The offset after the record at <paramref name="offset"/>, or -1 when it runs past the end.</summary>
    private static int SkipRecord(ReadOnlySpan<byte> message, int offset, out ushort type)
    {
        type = 0;
        var position = DnsName.Skip(message, offset);
        if (position < 0 || position + 10 > message.Length)
        {
            return -1;
        }

        type = BinaryPrimitives.ReadUInt16BigEndian(message[position..]);
        var dataLength = BinaryPrimitives.ReadUInt16BigEndian(message[(position + 8)..]);
        position += 10 + dataLength;
        return position <= message.Length ? position : -1;
    }
}
