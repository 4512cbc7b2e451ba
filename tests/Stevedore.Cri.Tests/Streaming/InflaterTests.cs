using System.IO.Compression;
using System.Text;
using Stevedore.Cri.Streaming.Compression;

namespace Stevedore.Cri.Tests.Streaming;

public sealed class InflaterTests
{
    public static TheoryData<int> PieceSizes => new() { 1, 17, 1000, 40_000, 200_000 };

    [Theory]
    [MemberData(nameof(PieceSizes))]
    public void Inflate_SyncFlushedPiecesFromDeflateStream_ReturnsEachPieceWhenItArrives(int pieceSize)
    {
        var pieces = Enumerable.Range(0, 4).Select(i => TextPiece(i, pieceSize)).ToList();
        var compressed = CompressWithSyncFlushes(pieces);
        var inflater = new Inflater([]);

        for (var i = 0; i < pieces.Count; i++)
        {
            Assert.Equal(pieces[i], inflater.Inflate(compressed[i]));
            Assert.Equal(0, inflater.PendingBytes);
        }
    }

    [Fact]
    public void Inflate_InputFedOneByteAtATime_HoldsIncompleteBlocksBackAndLosesNothing()
    {
        var pieces = new[] { TextPiece(1, 5000), RandomBytes(3000, seed: 7), TextPiece(2, 300) };
        var compressed = CompressWithSyncFlushes(pieces).SelectMany(c => c).ToArray();
        var inflater = new Inflater([]);
        var output = new List<byte>();

        foreach (var b in compressed)
        {
            output.AddRange(inflater.Inflate([b]));
        }

        Assert.Equal(pieces.SelectMany(p => p).ToArray(), output.ToArray());
    }

    [Fact]
    public void Inflate_IncompressibleData_DecodesStoredBlocks()
    {
        var data = RandomBytes(150_000, seed: 3);
        var compressed = CompressWithSyncFlushes([data]);

        Assert.Equal(data, new Inflater([]).Inflate(compressed[0]));
    }

    [Fact]
    public void Inflate_FinalBlock_SetsFinishedAndRefusesMoreData()
    {
        var data = TextPiece(3, 2000);
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(data);
        }

        var inflater = new Inflater([]);
        Assert.Equal(data, inflater.Inflate(buffer.ToArray()));
        Assert.True(inflater.Finished);
        Assert.Throws<InvalidDataException>(() => inflater.Inflate([0]));
    }

    [Fact]
    public void Inflate_BackReferenceIntoPresetDictionary_CopiesDictionaryBytes()
    {
        // A fixed-Huffman block: length 5 at distance 5 (the whole dictionary), then end of block.
        // Bits, least significant first: BFINAL=1, BTYPE=01, length symbol 259 (0000011), distance code 4 (00100) + 1 extra bit 0, EOB (0000000).
        var dictionary = "hello"u8.ToArray();
        var inflater = new Inflater(dictionary);

        var output = inflater.Inflate(PackBits("1", "10", "0000011", "00100", "0", "0000000"));

        Assert.Equal("hello"u8.ToArray(), output);
    }

    [Fact]
    public void Inflate_DistanceBeyondTheWindow_Throws()
    {
        var inflater = new Inflater([]);

        Assert.Throws<InvalidDataException>(() => inflater.Inflate(PackBits("1", "10", "0000011", "00100", "0", "0000000")));
    }

    [Fact]
    public void Inflate_ReservedBlockType_Throws()
    {
        Assert.Throws<InvalidDataException>(() => new Inflater([]).Inflate([0b0000_0111]));
    }

    [Fact]
    public void Inflate_StoredLengthWithoutItsComplement_Throws()
    {
        Assert.Throws<InvalidDataException>(() => new Inflater([]).Inflate([0x00, 0x05, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5]));
    }

    [Fact]
    public void Adler32_KnownValues()
    {
        Assert.Equal(1u, Adler32.Compute([]));
        Assert.Equal(0x11E60398u, Adler32.Compute("Wikipedia"u8));
    }

    internal static byte[] TextPiece(int seed, int length)
    {
        var words = new[] { "container", "pod", "exec", "stream", "kubelet", "node", "spdy", "websocket", "deflate" };
        var random = new Random(seed);
        var text = new StringBuilder();
        while (text.Length < length)
        {
            text.Append(words[random.Next(words.Length)]).Append(random.Next(3) == 0 ? '\n' : ' ');
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Each piece's compressed bytes, cut where a sync flush (as SPDY peers do after every header block) ended them.</summary>
    private static List<byte[]> CompressWithSyncFlushes(IEnumerable<byte[]> pieces)
    {
        var result = new List<byte[]>();
        using var buffer = new MemoryStream();
        using var deflate = new DeflateStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true);
        foreach (var piece in pieces)
        {
            var start = buffer.Length;
            deflate.Write(piece);
            deflate.Flush();
            result.Add(buffer.ToArray()[(int)start..]);
        }

        return result;
    }

    /// <summary>Packs bit strings into bytes the DEFLATE way: fields least-significant bit first, Huffman codes as written.</summary>
    private static byte[] PackBits(params string[] fields)
    {
        // Header fields and extra bits are numbers sent least-significant bit first, Huffman codes most-significant
        // first; the strings are already in transmission order, one character per bit.
        var bits = string.Concat(fields);
        var bytes = new byte[(bits.Length + 7) / 8];
        for (var i = 0; i < bits.Length; i++)
        {
            if (bits[i] == '1')
            {
                bytes[i / 8] |= (byte)(1 << (i % 8));
            }
        }

        return bytes;
    }
}
