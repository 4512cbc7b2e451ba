using System.Buffers.Binary;

namespace Stevedore.Cri.Streaming.Spdy;

/// <summary>
/// Decodes the frames of one direction of a connection from a byte stream. Header blocks share one
/// decompression stream, so every frame must pass through the same reader, in order.
/// </summary>
public sealed class SpdyFrameReader(Stream source)
{
    private const byte FlagFin = 0x01;
    private const byte FlagUnidirectional = 0x02;

    private readonly SpdyHeaderDecompressor _decompressor = new();
    private readonly byte[] _head = new byte[8];

    /// <summary>
    /// The next frame; null when the stream ends cleanly between frames. Control frames of unknown
    /// types are skipped, as SPDY requires.
    /// </summary>
    /// <exception cref="InvalidDataException">A malformed frame, a wrong version, or the stream ended inside a frame.</exception>
    public async Task<SpdyFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await FillAsync(_head, allowEndAtStart: true, cancellationToken))
            {
                return null;
            }

            var word = BinaryPrimitives.ReadUInt32BigEndian(_head);
            var flags = _head[4];
            var length = (int)(BinaryPrimitives.ReadUInt32BigEndian(_head.AsSpan(4)) & 0xFFFFFF);
            var control = (word & 0x80000000) != 0;
            var version = (word >> 16) & 0x7FFF;
            if (control && version != SpdyFrameWriter.Version)
            {
                // Before reading the payload: a peer that is not speaking SPDY/3 is told at once.
                throw new InvalidDataException($"SPDY version {version} is not supported (only 3)");
            }

            var payload = new byte[length];
            await FillAsync(payload, allowEndAtStart: false, cancellationToken);
            if (!control)
            {
                return new SpdyDataFrame(word & 0x7FFFFFFF, (flags & FlagFin) != 0, payload);
            }

            var frame = DecodeControl((SpdyControlType)(word & 0xFFFF), flags, payload);
            if (frame is not null)
            {
                return frame;
            }
        }
    }

    private SpdyFrame? DecodeControl(SpdyControlType type, byte flags, byte[] payload)
    {
        var fin = (flags & FlagFin) != 0;
        switch (type)
        {
            case SpdyControlType.SynStream:
                Require(payload, 10, type);
                return new SpdySynStreamFrame(
                    Id(payload, 0), Id(payload, 4), (byte)(payload[8] >> 5), fin, (flags & FlagUnidirectional) != 0, Headers(payload.AsSpan(10)));
            case SpdyControlType.SynReply:
                Require(payload, 4, type);
                return new SpdySynReplyFrame(Id(payload, 0), fin, Headers(payload.AsSpan(4)));
            case SpdyControlType.Headers:
                Require(payload, 4, type);
                return new SpdyHeadersFrame(Id(payload, 0), fin, Headers(payload.AsSpan(4)));
            case SpdyControlType.RstStream:
                Require(payload, 8, type);
                return new SpdyRstStreamFrame(Id(payload, 0), (SpdyResetStatus)BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4)));
            case SpdyControlType.Settings:
                Require(payload, 4, type);
                var count = BinaryPrimitives.ReadUInt32BigEndian(payload);
                if (payload.Length != 4 + (long)count * 8)
                {
                    throw new InvalidDataException($"a SETTINGS frame of {payload.Length} bytes cannot hold {count} entries");
                }

                var entries = new List<(byte, uint, uint)>();
                for (var i = 0; i < count; i++)
                {
                    var idWord = BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4 + i * 8));
                    entries.Add(((byte)(idWord >> 24), idWord & 0xFFFFFF, BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(8 + i * 8))));
                }

                return new SpdySettingsFrame(entries);
            case SpdyControlType.Ping:
                Require(payload, 4, type);
                return new SpdyPingFrame(BinaryPrimitives.ReadUInt32BigEndian(payload));
            case SpdyControlType.GoAway:
                Require(payload, 8, type);
                return new SpdyGoAwayFrame(Id(payload, 0), BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4)));
            case SpdyControlType.WindowUpdate:
                Require(payload, 8, type);
                return new SpdyWindowUpdateFrame(Id(payload, 0), Id(payload, 4));
            default:
                return null;
        }
    }

    private SpdyHeaders Headers(ReadOnlySpan<byte> compressed) => SpdyHeaderBlock.Parse(_decompressor.Decompress(compressed));

    private static uint Id(byte[] payload, int offset) => BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(offset)) & 0x7FFFFFFF;

    private static void Require(byte[] payload, int length, SpdyControlType type)
    {
        if (payload.Length < length)
        {
            throw new InvalidDataException($"a {type} frame of {payload.Length} bytes is too short");
        }
    }

    private async Task<bool> FillAsync(byte[] buffer, bool allowEndAtStart, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await source.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (n == 0)
            {
                if (filled == 0 && allowEndAtStart)
                {
                    return false;
                }

                throw new InvalidDataException("the connection ended inside a SPDY frame");
            }

            filled += n;
        }

        return true;
    }
}
