using System.Buffers.Binary;

namespace Stevedore.Cri.Streaming.Spdy;

/// <summary>
/// Encodes frames for one direction of a connection. Header blocks share one compression stream,
/// so frames must be written to the wire in the order they were encoded.
/// </summary>
public sealed class SpdyFrameWriter
{
    /// <summary>SPDY/3.</summary>
    public const ushort Version = 3;

    /// <summary>The largest payload a frame can carry (24-bit length).</summary>
    public const int MaxPayload = (1 << 24) - 1;

    private const byte FlagFin = 0x01;
    private const byte FlagUnidirectional = 0x02;

    private readonly SpdyHeaderCompressor _compressor = new();

    /// <summary>The frame's bytes.</summary>
    public byte[] Encode(SpdyFrame frame) => frame switch
    {
        SpdyDataFrame data => Data(data),
        SpdySynStreamFrame syn => Control(SpdyControlType.SynStream, (byte)((syn.Fin ? FlagFin : 0) | (syn.Unidirectional ? FlagUnidirectional : 0)), payload =>
        {
            WriteId(payload, syn.StreamId);
            WriteId(payload, syn.AssociatedStreamId);
            payload.Add((byte)(syn.Priority << 5));
            payload.Add(0);
            payload.AddRange(_compressor.Compress(SpdyHeaderBlock.Serialize(syn.Headers)));
        }),
        SpdySynReplyFrame reply => Control(SpdyControlType.SynReply, reply.Fin ? FlagFin : (byte)0, payload =>
        {
            WriteId(payload, reply.StreamId);
            payload.AddRange(_compressor.Compress(SpdyHeaderBlock.Serialize(reply.Headers)));
        }),
        SpdyHeadersFrame headers => Control(SpdyControlType.Headers, headers.Fin ? FlagFin : (byte)0, payload =>
        {
            WriteId(payload, headers.StreamId);
            payload.AddRange(_compressor.Compress(SpdyHeaderBlock.Serialize(headers.Headers)));
        }),
        SpdyRstStreamFrame rst => Control(SpdyControlType.RstStream, 0, payload =>
        {
            WriteId(payload, rst.StreamId);
            WriteUInt(payload, (uint)rst.Status);
        }),
        SpdySettingsFrame settings => Control(SpdyControlType.Settings, 0, payload =>
        {
            WriteUInt(payload, (uint)settings.Entries.Count);
            foreach (var (flags, id, value) in settings.Entries)
            {
                WriteUInt(payload, ((uint)flags << 24) | (id & 0xFFFFFF));
                WriteUInt(payload, value);
            }
        }),
        SpdyPingFrame ping => Control(SpdyControlType.Ping, 0, payload => WriteUInt(payload, ping.Id)),
        SpdyGoAwayFrame goAway => Control(SpdyControlType.GoAway, 0, payload =>
        {
            WriteId(payload, goAway.LastGoodStreamId);
            WriteUInt(payload, goAway.Status);
        }),
        SpdyWindowUpdateFrame update => Control(SpdyControlType.WindowUpdate, 0, payload =>
        {
            WriteId(payload, update.StreamId);
            WriteId(payload, update.Delta);
        }),
        _ => throw new ArgumentException($"unknown frame {frame.GetType().Name}", nameof(frame)),
    };

    private static byte[] Data(SpdyDataFrame frame)
    {
        if (frame.Data.Length > MaxPayload)
        {
            throw new ArgumentException($"a data frame carries at most {MaxPayload} bytes", nameof(frame));
        }

        var bytes = new byte[8 + frame.Data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, frame.StreamId & 0x7FFFFFFF);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), ((uint)(frame.Fin ? FlagFin : 0) << 24) | (uint)frame.Data.Length);
        frame.Data.Span.CopyTo(bytes.AsSpan(8));
        return bytes;
    }

    private static byte[] Control(SpdyControlType type, byte flags, Action<List<byte>> writePayload)
    {
        var payload = new List<byte>();
        writePayload(payload);
        if (payload.Count > MaxPayload)
        {
            throw new InvalidOperationException($"a {type} frame of {payload.Count} bytes is too large");
        }

        var bytes = new byte[8 + payload.Count];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)(0x8000 | Version));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)type);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), ((uint)flags << 24) | (uint)payload.Count);
        payload.CopyTo(bytes, 8);
        return bytes;
    }

    private static void WriteId(List<byte> payload, uint id) => WriteUInt(payload, id & 0x7FFFFFFF);

    private static void WriteUInt(List<byte> payload, uint value)
    {
        payload.Add((byte)(value >> 24));
        payload.Add((byte)(value >> 16));
        payload.Add((byte)(value >> 8));
        payload.Add((byte)value);
    }
}
