using System.IO.Compression;
using Stevedore.Cri.Streaming.Compression;
using Stevedore.Cri.Streaming.Spdy;

namespace Stevedore.Cri.Tests.Streaming;

public sealed class SpdyFrameTests
{
    // Three header blocks compressed by zlib (level 9, the SPDY/3 dictionary, a sync flush after each),
    // as Go's framer sends them: {streamtype: error}; {port: 8080, requestid: 0, streamtype: data}; {streamtype: stdout}.
    private static readonly byte[][] ZlibHeaderBlocks =
    [
        Convert.FromHexString("78f9e3c6a7c202a62346703a2b294a4dcc851625aca9a08006000000ffff"),
        Convert.FromHexString("02a54748d15c04ce0516061606409ab308129599a024ce6880a119540e2502000000ffff"),
        Convert.FromHexString("c26a2c3023a4e4979600000000ffff"),
    ];

    [Fact]
    public void Dictionary_HasTheIdZlibPutsInItsHeader()
    {
        Assert.Equal(1423, SpdyDictionary.Bytes.Length);
        Assert.Equal(SpdyDictionary.Id, Adler32.Compute(SpdyDictionary.Bytes));
        Assert.Equal(SpdyDictionary.Id, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(ZlibHeaderBlocks[0].AsSpan(2)));
    }

    [Fact]
    public void Decompress_BlocksCompressedWithTheDictionary_ReadsEachBlockInTurn()
    {
        var decompressor = new SpdyHeaderDecompressor();

        var first = SpdyHeaderBlock.Parse(decompressor.Decompress(ZlibHeaderBlocks[0]));
        var second = SpdyHeaderBlock.Parse(decompressor.Decompress(ZlibHeaderBlocks[1]));
        var third = SpdyHeaderBlock.Parse(decompressor.Decompress(ZlibHeaderBlocks[2]));

        Assert.Equal("error", first.Get("streamType"));
        Assert.Equal(("8080", "0", "data"), (second.Get("port"), second.Get("requestID"), second.Get("streamtype")));
        Assert.Equal("stdout", third.Get("StreamType"));
    }

    [Fact]
    public void Decompress_ZlibHeaderNamingAnotherDictionary_Throws()
    {
        var wrongId = (byte[])ZlibHeaderBlocks[0].Clone();
        wrongId[5] ^= 0xFF;

        Assert.Throws<InvalidDataException>(() => new SpdyHeaderDecompressor().Decompress(wrongId));
    }

    [Fact]
    public void Compressor_Output_IsAZlibStreamThatSystemIoCompressionReads()
    {
        var compressor = new SpdyHeaderCompressor();
        var blocks = new[] { SpdyHeaderBlock.Serialize(new SpdyHeaders().Add("a", "1")), SpdyHeaderBlock.Serialize(new SpdyHeaders().Add("b", new string('x', 70_000))) };
        var wire = blocks.SelectMany(b => compressor.Compress(b)).ToArray();

        using var zlib = new ZLibStream(new MemoryStream(wire), CompressionMode.Decompress);
        var expected = blocks.SelectMany(b => b).ToArray();
        var actual = new byte[expected.Length];
        zlib.ReadExactly(actual);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Compressor_EveryBlock_EndsWithTheSyncFlushMarkerGoNeedsToHandOutTheBytes()
    {
        var compressor = new SpdyHeaderCompressor();

        var first = compressor.Compress(SpdyHeaderBlock.Serialize(new SpdyHeaders().Add("streamtype", "error")));
        var second = compressor.Compress(SpdyHeaderBlock.Serialize(new SpdyHeaders().Add("streamtype", "stdout")));

        Assert.Equal(new byte[] { 0x78, 0x01 }, first[..2]);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0xFF, 0xFF }, first[^5..]);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0xFF, 0xFF }, second[^5..]);
        Assert.NotEqual(0x78, second[0]);
    }

    [Fact]
    public void HeaderBlock_RepeatedNames_JoinedWithNulAndSplitBack()
    {
        var headers = new SpdyHeaders().Add("X-Stream-Protocol-Version", "v4.channel.k8s.io").Add("x-stream-protocol-version", "v3.channel.k8s.io").Add("port", "80");

        var parsed = SpdyHeaderBlock.Parse(SpdyHeaderBlock.Serialize(headers));

        Assert.Equal(["v4.channel.k8s.io", "v3.channel.k8s.io"], parsed.GetAll("X-Stream-Protocol-Version"));
        Assert.Equal("80", parsed.Get("Port"));
        Assert.All(parsed.Pairs, p => Assert.Equal(p.Key.ToLowerInvariant(), p.Key));
    }

    [Theory]
    [InlineData("00000001000000")]           // a name length cut short
    [InlineData("000000010000000561626364")] // a name longer than the block
    [InlineData("00000001000000016100000000ff")] // bytes after the last pair
    [InlineData("000000010000000000000000")] // an empty name
    public void HeaderBlock_Malformed_Throws(string hex)
    {
        Assert.Throws<InvalidDataException>(() => SpdyHeaderBlock.Parse(Convert.FromHexString(hex)));
    }

    public static TheoryData<SpdyFrame> Frames => new()
    {
        new SpdyDataFrame(5, true, new byte[] { 1, 2, 3 }),
        new SpdyDataFrame(0x7FFFFFFF, false, Array.Empty<byte>()),
        new SpdySynStreamFrame(3, 1, 7, false, true, new SpdyHeaders().Add("streamtype", "stdin")),
        new SpdySynReplyFrame(3, true, new SpdyHeaders()),
        new SpdyRstStreamFrame(9, SpdyResetStatus.RefusedStream),
        new SpdySettingsFrame([(1, 4, 100), (0, 7, 65536)]),
        new SpdyPingFrame(42),
        new SpdyGoAwayFrame(11, 0),
        new SpdyHeadersFrame(13, true, new SpdyHeaders().Add("a", "b")),
        new SpdyWindowUpdateFrame(1, 4096),
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public async Task WriterThenReader_EveryFrameType_RoundTrips(SpdyFrame frame)
    {
        var writer = new SpdyFrameWriter();
        var reader = new SpdyFrameReader(new MemoryStream(writer.Encode(frame)));

        var read = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal(Describe(frame), Describe(read!));
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Writer_ControlFrameHeader_IsVersion3WithTypeFlagsAndLength()
    {
        var bytes = new SpdyFrameWriter().Encode(new SpdyPingFrame(0x01020304));

        Assert.Equal(Convert.FromHexString("80030006000000040102030" + "4"), bytes);
        Assert.IsType<SpdyPingFrame>(await new SpdyFrameReader(new MemoryStream(bytes)).ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Reader_UnknownControlType_IsSkipped()
    {
        var unknown = Convert.FromHexString("8003000a00000002abcd");
        var ping = new SpdyFrameWriter().Encode(new SpdyPingFrame(1));

        var read = await new SpdyFrameReader(new MemoryStream([.. unknown, .. ping])).ReadAsync(CancellationToken.None);

        Assert.Equal(new SpdyPingFrame(1), read);
    }

    [Fact]
    public async Task Reader_OtherVersion_Throws()
    {
        var spdy2Ping = Convert.FromHexString("800200060000000400000001");

        await Assert.ThrowsAsync<InvalidDataException>(() => new SpdyFrameReader(new MemoryStream(spdy2Ping)).ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Reader_ConnectionEndsInsideAFrame_Throws()
    {
        var cut = new SpdyFrameWriter().Encode(new SpdyDataFrame(1, false, new byte[10]))[..12];

        await Assert.ThrowsAsync<InvalidDataException>(() => new SpdyFrameReader(new MemoryStream(cut)).ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Reader_SynStreamFromGoFramer_DecodesHeadersAcrossFrames()
    {
        // SYN_STREAM frames as spdystream writes them: stream 1 then stream 3, header blocks from one zlib stream.
        var frames = new List<byte>();
        frames.AddRange(SynStream(1, ZlibHeaderBlocks[0]));
        frames.AddRange(SynStream(3, ZlibHeaderBlocks[1]));
        var reader = new SpdyFrameReader(new MemoryStream([.. frames]));

        var first = Assert.IsType<SpdySynStreamFrame>(await reader.ReadAsync(CancellationToken.None));
        var second = Assert.IsType<SpdySynStreamFrame>(await reader.ReadAsync(CancellationToken.None));

        Assert.Equal((1u, "error"), (first.StreamId, first.Headers.Get("streamtype")));
        Assert.Equal((3u, "data", "8080"), (second.StreamId, second.Headers.Get("streamtype"), second.Headers.Get("port")));
    }

    private static byte[] SynStream(uint id, byte[] block)
    {
        var payload = new byte[10 + block.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(payload, id);
        block.CopyTo(payload, 10);
        var head = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(head, 0x80030001);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(head.AsSpan(4), (uint)payload.Length);
        return [.. head, .. payload];
    }

    private static string Describe(SpdyFrame frame) => frame switch
    {
        SpdyDataFrame d => $"data {d.StreamId} {d.Fin} {Convert.ToHexString(d.Data.Span)}",
        SpdySynStreamFrame s => $"syn {s.StreamId} {s.AssociatedStreamId} {s.Priority} {s.Fin} {s.Unidirectional} {s.Headers}",
        SpdySynReplyFrame r => $"reply {r.StreamId} {r.Fin} {r.Headers}",
        SpdyHeadersFrame h => $"headers {h.StreamId} {h.Fin} {h.Headers}",
        SpdySettingsFrame s => "settings " + string.Join(";", s.Entries),
        _ => frame.ToString(),
    };
}
