using Stevedore.Cri.Streaming.RemoteCommand;
using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Cri.Streaming;

namespace Stevedore.Runtime.Tests;

public sealed class StreamingPieceTests
{
    [Fact]
    public async Task AttachFrame_EncodeThenRead_RoundTripsEveryKind()
    {
        var frames = new[]
        {
            new AttachFrame(AttachFrameKind.Stdin, "input"u8.ToArray()),
            new AttachFrame(AttachFrameKind.Stdout, new byte[70_000]),
            new AttachFrame(AttachFrameKind.StdinClosed, []),
            AttachFrame.ForResize(new Containers.TerminalSize(132, 43)),
        };
        var wire = new MemoryStream(frames.SelectMany(f => f.Encode()).ToArray());

        foreach (var expected in frames)
        {
            var read = await AttachFrame.ReadAsync(wire, CancellationToken.None);
            Assert.Equal(expected.Kind, read!.Value.Kind);
            Assert.Equal(expected.Payload, read.Value.Payload);
        }

        Assert.Null(await AttachFrame.ReadAsync(wire, CancellationToken.None));
        Assert.Equal(new Containers.TerminalSize(132, 43), frames[3].Size);
    }

    [Theory]
    [InlineData("09000000010041")] // unknown kind
    [InlineData("01ffffffff")]     // negative length
    [InlineData("0100000005414243")] // ends inside the payload
    [InlineData("0100")]           // ends inside the header
    public async Task AttachFrame_Malformed_Throws(string hex)
    {
        await Assert.ThrowsAsync<InvalidDataException>(() => AttachFrame.ReadAsync(new MemoryStream(Convert.FromHexString(hex)), CancellationToken.None));
    }

    [Fact]
    public void AttachSocketPath_StaysShortAndBesideTheRuntimeRoot()
    {
        var id = new string('a', 64);

        var path = AttachServer.SocketPathOf("/run/stevedore/runc/", id);

        Assert.Equal("/run/stevedore/attach/" + new string('a', 24) + ".sock", path);
        Assert.True(path.Length < 108);
    }

    [Fact]
    public void RequestCache_TokenIsSingleUse()
    {
        var cache = new StreamingRequestCache(new ManualTime());
        var request = new PortForwardStreamingRequest("sandbox");

        var token = cache.Insert(request)!;

        Assert.Matches("^[A-Za-z0-9_-]{11}$", token);
        Assert.Same(request, cache.Consume(token));
        Assert.Null(cache.Consume(token));
        Assert.Null(cache.Consume("never-issued"));
    }

    [Fact]
    public void RequestCache_TokenExpiresAfterAMinute()
    {
        var time = new ManualTime();
        var cache = new StreamingRequestCache(time);
        var fresh = cache.Insert(new AttachStreamingRequest("c", new RemoteCommandOptions(false, true, false, false)))!;
        var stale = cache.Insert(new AttachStreamingRequest("c", new RemoteCommandOptions(false, true, false, false)))!;

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.NotNull(cache.Consume(fresh));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(cache.Consume(stale));
    }

    [Fact]
    public void RequestCache_Full_RefusesUntilTokensExpire()
    {
        var time = new ManualTime();
        var cache = new StreamingRequestCache(time);
        for (var i = 0; i < StreamingRequestCache.MaxInFlight; i++)
        {
            Assert.NotNull(cache.Insert(new PortForwardStreamingRequest("s")));
        }

        Assert.Null(cache.Insert(new PortForwardStreamingRequest("s")));
        time.Advance(StreamingRequestCache.Lifetime);
        Assert.NotNull(cache.Insert(new PortForwardStreamingRequest("s")));
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
