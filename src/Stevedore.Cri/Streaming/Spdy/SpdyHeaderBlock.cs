using System.Buffers.Binary;
using System.Text;
using Stevedore.Cri.Streaming.Compression;

namespace Stevedore.Cri.Streaming.Spdy;

/// <summary>
/// The SPDY/3 name/value block: a 32-bit pair count, then per pair a 32-bit length and the name,
/// a 32-bit length and the value (several values joined by NUL). On the wire each block is a piece
/// of one zlib stream per direction that uses <see cref="SpdyDictionary"/>.
/// </summary>
public static class SpdyHeaderBlock
{
    /// <summary>The largest decompressed block accepted.</summary>
    public const int MaxBlockBytes = 256 * 1024;

    /// <summary>The uncompressed block for <paramref name="headers"/>; names are lower-cased and repeated names merged.</summary>
    public static byte[] Serialize(SpdyHeaders headers)
    {
        var merged = new List<(string Name, List<string> Values)>();
        foreach (var (name, value) in headers.Pairs)
        {
            var lower = name.ToLowerInvariant();
            var entry = merged.FirstOrDefault(e => e.Name == lower);
            if (entry.Values is null)
            {
                merged.Add((lower, [value]));
            }
            else
            {
                entry.Values.Add(value);
            }
        }

        var buffer = new List<byte>();
        AppendInt(buffer, merged.Count);
        foreach (var (name, values) in merged)
        {
            AppendString(buffer, name);
            AppendString(buffer, string.Join('\0', values));
        }

        return [.. buffer];
    }

    /// <summary>Parses an uncompressed block.</summary>
    /// <exception cref="InvalidDataException">The lengths do not add up.</exception>
    public static SpdyHeaders Parse(ReadOnlySpan<byte> block)
    {
        var headers = new SpdyHeaders();
        var count = ReadInt(ref block);
        for (var i = 0; i < count; i++)
        {
            var name = ReadString(ref block);
            if (name.Length == 0)
            {
                throw new InvalidDataException("a SPDY header has an empty name");
            }

            foreach (var value in ReadString(ref block).Split('\0'))
            {
                headers.Add(name, value);
            }
        }

        if (block.Length != 0)
        {
            throw new InvalidDataException($"{block.Length} bytes after the last SPDY header");
        }

        return headers;
    }

    private static void AppendInt(List<byte> buffer, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        buffer.AddRange(bytes.ToArray());
    }

    private static void AppendString(List<byte> buffer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        AppendInt(buffer, bytes.Length);
        buffer.AddRange(bytes);
    }

    private static int ReadInt(ref ReadOnlySpan<byte> block)
    {
        if (block.Length < 4)
        {
            throw new InvalidDataException("a SPDY header block ends inside a length");
        }

        var value = BinaryPrimitives.ReadInt32BigEndian(block);
        block = block[4..];
        if (value < 0 || value > MaxBlockBytes)
        {
            throw new InvalidDataException($"a SPDY header length of {value} is out of range");
        }

        return value;
    }

    private static string ReadString(ref ReadOnlySpan<byte> block)
    {
        var length = ReadInt(ref block);
        if (block.Length < length)
        {
            throw new InvalidDataException("a SPDY header block ends inside a name or value");
        }

        var text = Encoding.UTF8.GetString(block[..length]);
        block = block[length..];
        return text;
    }
}

/// <summary>
/// Compresses this side's header blocks: one zlib stream for the whole connection. Blocks go out
/// as stored (uncompressed) DEFLATE blocks followed by an empty one (a sync flush), which every
/// inflater reads and which need no dictionary, so the zlib header does not ask for one.
/// </summary>
public sealed class SpdyHeaderCompressor
{
    private const int MaxStoredBlock = 65535;
    private bool _headerWritten;

    /// <summary>The bytes that carry <paramref name="block"/> on the wire.</summary>
    public byte[] Compress(ReadOnlySpan<byte> block)
    {
        var output = new List<byte>(block.Length + 16);
        if (!_headerWritten)
        {
            // CMF 0x78 (deflate, 32K window), FLG 0x01: no preset dictionary, check bits make it divisible by 31.
            output.Add(0x78);
            output.Add(0x01);
            _headerWritten = true;
        }

        do
        {
            var length = Math.Min(block.Length, MaxStoredBlock);
            // BFINAL 0, BTYPE 00 (stored), padding to the byte: a zero byte; then LEN and NLEN, little-endian.
            output.Add(0);
            output.Add((byte)length);
            output.Add((byte)(length >> 8));
            output.Add((byte)~length);
            output.Add((byte)(~length >> 8));
            output.AddRange(block[..length].ToArray());
            block = block[length..];
        }
        while (block.Length > 0);

        // An empty stored block ends every header block, as zlib's sync flush does: Go's inflater hands
        // out a block's bytes only when the next block begins, and this one is already in the frame.
        output.AddRange([0x00, 0x00, 0x00, 0xFF, 0xFF]);
        return [.. output];
    }
}

/// <summary>Decompresses the peer's header blocks: pieces of one zlib stream with the SPDY dictionary.</summary>
public sealed class SpdyHeaderDecompressor
{
    private readonly ZlibStreamDecoder _decoder = new(SpdyDictionary.Bytes);

    /// <summary>The uncompressed block carried by one frame's compressed bytes.</summary>
    /// <exception cref="InvalidDataException">Not valid zlib, or too large.</exception>
    public byte[] Decompress(ReadOnlySpan<byte> compressed)
    {
        var block = _decoder.Decode(compressed);
        if (block.Length > SpdyHeaderBlock.MaxBlockBytes)
        {
            throw new InvalidDataException($"a SPDY header block of {block.Length} bytes is too large");
        }

        return block;
    }
}
