using System.Buffers.Binary;

namespace Stevedore.Network.Dns.Wire;

/// <summary>
/// Encodes a response from a <see cref="DnsQuery"/> and a <see cref="DnsAnswer"/>. The question is
/// echoed as the client sent it, answer owners point at it, and additional records point into the
/// SRV targets they belong to. A response that does not fit the size limit keeps the whole answer
/// records that fit and sets TC (the client retries over TCP; resolvers without TCP can still use
/// the partial set). Reused by one loop: holds only its compression table.
/// </summary>
public sealed class DnsResponseWriter
{
    /// <summary>The largest offset a compression pointer can hold.</summary>
    private const int MaxPointerOffset = 0x3FFF;

    private const int HeaderLength = 12;
    private const int OptLength = 11;
    private const int QuestionOffset = HeaderLength;

    private readonly Dictionary<byte[], int> _names = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<byte[]> _glued = new(ReferenceEqualityComparer.Instance);

    /// <summary>The UDP payload size announced in our OPT record.</summary>
    public int AdvertisedUdpSize { get; init; } = 1232;

    /// <summary>
    /// Writes the response into <paramref name="buffer"/>, at most <paramref name="limit"/> bytes
    /// (at least 512), and returns its length.
    /// </summary>
    public int Write(DnsQuery query, DnsAnswer answer, Span<byte> buffer, int limit, bool recursionAvailable)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(answer);
        limit = Math.Min(limit, buffer.Length);
        _names.Clear();
        _glued.Clear();
        var position = HeaderLength;
        ushort questions = 0, answers = 0, authorities = 0, additionals = 0;
        if (query.HasQuestion)
        {
            query.NameWire.CopyTo(buffer[position..]);
            position += query.NameWireLength;
            BinaryPrimitives.WriteUInt16BigEndian(buffer[position..], query.Type);
            BinaryPrimitives.WriteUInt16BigEndian(buffer[(position + 2)..], query.Class);
            position += 4;
            questions = 1;
        }

        // Room for our OPT record is kept whatever else has to go.
        var room = limit - (query.HasEdns ? OptLength : 0);
        var truncated = false;
        foreach (var entry in answer.Records)
        {
            if (!TryWriteRecord(buffer, ref position, room, entry.Record, entry.Owner, query.HasQuestion))
            {
                truncated = true;
                break;
            }

            answers++;
        }

        if (!truncated && answer.Soa is { } soa && answer.SoaOwner is { } soaOwner)
        {
            var owner = QuestionSuffixOffset(query, soaOwner);
            if (owner >= 0 ? TryWriteRecordAt(buffer, ref position, room, soa, owner) : TryWriteRecord(buffer, ref position, room, soa, soaOwner, false))
            {
                authorities++;
            }
        }

        if (!truncated)
        {
            // Additional data is optional: what does not fit is left out without TC (RFC 2181 9).
            for (var i = 0; i < answers; i++)
            {
                var record = answer.Records[i].Record;
                if (record.Glue.Count == 0 || record.Target is not { } target || !_glued.Add(target))
                {
                    continue;
                }

                foreach (var glue in record.Glue)
                {
                    if (!TryWriteRecord(buffer, ref position, room, glue, target, false))
                    {
                        break;
                    }

                    additionals++;
                }
            }
        }

        var code = (int)answer.Code;
        if (query.HasEdns)
        {
            WriteOpt(buffer[position..], code >> 4, query.DnssecOk);
            position += OptLength;
            additionals++;
        }

        var flags = (ushort)(DnsFlags.Response | (query.Opcode << 11) | (code & 0xF));
        if (answer.Authoritative)
        {
            flags |= DnsFlags.Authoritative;
        }

        if (truncated)
        {
            flags |= DnsFlags.Truncated;
        }

        if (query.RecursionDesired)
        {
            flags |= DnsFlags.RecursionDesired;
        }

        if (recursionAvailable)
        {
            flags |= DnsFlags.RecursionAvailable;
        }

        if (query.CheckingDisabled)
        {
            flags |= DnsFlags.CheckingDisabled;
        }

        BinaryPrimitives.WriteUInt16BigEndian(buffer, query.Id);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[4..], questions);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[6..], answers);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[8..], authorities);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[10..], additionals);
        return position;
    }

    /// <summary>Writes a record owned by the question (null owner), a name already written (a pointer), or a new name.</summary>
    private bool TryWriteRecord(Span<byte> buffer, ref int position, int room, DnsRecord record, byte[]? owner, bool haveQuestion)
    {
        if (owner is null)
        {
            return haveQuestion && TryWriteRecordAt(buffer, ref position, room, record, QuestionOffset);
        }

        if (_names.TryGetValue(owner, out var offset))
        {
            return TryWriteRecordAt(buffer, ref position, room, record, offset);
        }

        if (position + owner.Length + 10 + record.Data.Length > room)
        {
            return false;
        }

        var start = position;
        owner.CopyTo(buffer[position..]);
        position += owner.Length;
        WriteBody(buffer, ref position, record);
        Remember(owner, start);
        return true;
    }

    /// <summary>Writes a record whose owner is the name at <paramref name="ownerOffset"/> (a pointer).</summary>
    private bool TryWriteRecordAt(Span<byte> buffer, ref int position, int room, DnsRecord record, int ownerOffset)
    {
        if (position + 2 + 10 + record.Data.Length > room)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(buffer[position..], (ushort)(0xC000 | ownerOffset));
        position += 2;
        WriteBody(buffer, ref position, record);
        return true;
    }

    private void WriteBody(Span<byte> buffer, ref int position, DnsRecord record)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer[position..], record.Type);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(position + 2)..], DnsClass.IN);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[(position + 4)..], record.Ttl);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(position + 8)..], (ushort)record.Data.Length);
        position += 10;
        record.Data.CopyTo(buffer[position..]);
        position += record.Data.Length;
        if (record.Target is { } target)
        {
            // The target is the tail of the RDATA, uncompressed: later owners can point at it.
            Remember(target, position - target.Length);
        }
    }

    private void Remember(byte[] name, int offset)
    {
        if (offset <= MaxPointerOffset)
        {
            _names.TryAdd(name, offset);
        }
    }

    /// <summary>The offset in the response of the question's suffix equal to <paramref name="name"/>, or -1.</summary>
    private static int QuestionSuffixOffset(DnsQuery query, byte[] name)
    {
        if (!query.HasQuestion)
        {
            return -1;
        }

        var wire = query.NameWire;
        var position = 0;
        while (position < wire.Length)
        {
            if (wire.Length - position == name.Length && EqualsIgnoringCase(wire[position..], name))
            {
                return QuestionOffset + position;
            }

            if (wire[position] == 0)
            {
                break;
            }

            position += wire[position] + 1;
        }

        return -1;
    }

    private static bool EqualsIgnoringCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            if (Lower(a[i]) != Lower(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static byte Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;

    private void WriteOpt(Span<byte> buffer, int extendedCode, bool dnssecOk)
    {
        buffer[0] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[1..], DnsType.OPT);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[3..], (ushort)AdvertisedUdpSize);
        buffer[5] = (byte)extendedCode;
        buffer[6] = 0;
        buffer[7] = dnssecOk ? (byte)0x80 : (byte)0;
        buffer[8] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[9..], 0);
    }
}
