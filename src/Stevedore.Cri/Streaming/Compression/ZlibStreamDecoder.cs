using System.Buffers.Binary;

namespace Stevedore.Cri.Streaming.Compression;

/// <summary>
/// Decodes one zlib stream (RFC 1950) that arrives in pieces: the two-byte header (and the ID of a
/// preset dictionary, which must be the one given) before the first piece's DEFLATE data.
/// </summary>
public sealed class ZlibStreamDecoder(byte[] dictionary)
{
    private const int DeflateMethod = 8;
    private const int PresetDictionaryFlag = 0x20;

    private readonly List<byte> _header = [];
    private Inflater? _inflater;

    /// <summary>Decodes what <paramref name="input"/> completes; see <see cref="Inflater.Inflate"/>.</summary>
    /// <exception cref="InvalidDataException">The header is not zlib's, names another dictionary, or the data is not valid DEFLATE.</exception>
    public byte[] Decode(ReadOnlySpan<byte> input)
    {
        while (_inflater is null && input.Length > 0)
        {
            _header.Add(input[0]);
            input = input[1..];
            if (_header.Count == 2)
            {
                CheckHeader(_header[0], _header[1]);
                if ((_header[1] & PresetDictionaryFlag) == 0)
                {
                    _inflater = new Inflater([]);
                }
            }
            else if (_header.Count == 6)
            {
                var id = BinaryPrimitives.ReadUInt32BigEndian([.. _header.Skip(2)]);
                var expected = Adler32.Compute(dictionary);
                if (id != expected)
                {
                    throw new InvalidDataException($"the zlib stream wants preset dictionary {id:x8}, not {expected:x8}");
                }

                _inflater = new Inflater(dictionary);
            }
        }

        return _inflater is null ? [] : _inflater.Inflate(input);
    }

    private static void CheckHeader(byte cmf, byte flg)
    {
        if ((cmf & 0x0F) != DeflateMethod || (cmf >> 4) > 7 || ((cmf << 8) | flg) % 31 != 0)
        {
            throw new InvalidDataException($"not a zlib header: {cmf:x2} {flg:x2}");
        }
    }
}
