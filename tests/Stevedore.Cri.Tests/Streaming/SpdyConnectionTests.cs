using System.IO.Pipelines;
using System.Text;
using Stevedore.Cri.Streaming.Spdy;

namespace Stevedore.Cri.Tests.Streaming;

/// <summary>Two SPDY sessions talking over in-memory pipes.</summary>
public sealed class SpdyConnectionTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private SpdyConnection _client = null!;
    private SpdyConnection _server = null!;

    public Task InitializeAsync()
    {
        var (a, b) = DuplexPipe.CreatePair();
        _client = new SpdyConnection(a, isServer: false);
        _server = new SpdyConnection(b, isServer: true, headers => headers.Get("streamtype") == "refuse-me" ? "refused" : null);
        _client.Start();
        _server.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task OpenStream_AcceptedByServer_CarriesHeadersAndDataBothWaysUntilFin()
    {
        var opened = await _client.OpenStreamAsync(new SpdyHeaders().Add("streamType", "stdout"), CancellationToken.None).WaitAsync(Timeout);
        var accepted = await _server.AcceptStreamAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);

        Assert.Equal(1u, opened.Id);
        Assert.Equal("stdout", accepted.Headers.Get("streamtype"));
        await opened.WriteAsync("ping"u8.ToArray());
        await opened.CloseWriteAsync();
        Assert.Equal("ping", await ReadToEndAsync(accepted));

        await accepted.WriteAsync(Encoding.ASCII.GetBytes(new string('x', 100_000)));
        await accepted.CloseWriteAsync();
        Assert.Equal(100_000, (await ReadToEndAsync(opened)).Length);
    }

    [Fact]
    public async Task OpenStream_RefusedByValidator_FailsTheOpener()
    {
        await Assert.ThrowsAsync<IOException>(() => _client.OpenStreamAsync(new SpdyHeaders().Add("streamtype", "refuse-me"), CancellationToken.None).WaitAsync(Timeout));
        var next = await _client.OpenStreamAsync(new SpdyHeaders().Add("streamtype", "fine"), CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(3u, next.Id);
    }

    [Fact]
    public async Task Ping_FromEitherSide_IsEchoed()
    {
        await _client.PingAsync(CancellationToken.None).WaitAsync(Timeout);
        await _server.PingAsync(CancellationToken.None).WaitAsync(Timeout);
    }

    [Fact]
    public async Task Reset_EndsThePeersReadsAndRefusesLaterWrites()
    {
        var opened = await _client.OpenStreamAsync(new SpdyHeaders().Add("streamtype", "data"), CancellationToken.None).WaitAsync(Timeout);
        var accepted = await _server.AcceptStreamAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);

        await opened.ResetAsync(SpdyResetStatus.Cancel);

        Assert.Equal("", await ReadToEndAsync(accepted));
        await WaitUntilAsync(() => accepted.ResetStatus == SpdyResetStatus.Cancel);
        await Assert.ThrowsAsync<IOException>(() => accepted.WriteAsync(new byte[] { 1 }).AsTask());
    }

    [Fact]
    public async Task TransportClosed_EndsEveryStreamAndCompletes()
    {
        var opened = await _client.OpenStreamAsync(new SpdyHeaders().Add("streamtype", "stdin"), CancellationToken.None).WaitAsync(Timeout);
        _ = await _server.AcceptStreamAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);

        await _server.DisposeAsync();

        await _client.Completion.WaitAsync(Timeout);
        Assert.Equal("", await ReadToEndAsync(opened));
        await Assert.ThrowsAsync<IOException>(() => _server.AcceptStreamAsync(CancellationToken.None).AsTask());
    }

    private static async Task<string> ReadToEndAsync(Stream stream)
    {
        using var reader = new StreamReader(stream, leaveOpen: true);
        return await reader.ReadToEndAsync().WaitAsync(Timeout);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }

    /// <summary>Two connected in-memory byte streams (no sockets).</summary>
    internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : Stream
    {
        private readonly Stream _in = input.AsStream();
        private readonly Stream _out = output.AsStream();

        public static (DuplexPipe A, DuplexPipe B) CreatePair()
        {
            var ab = new Pipe();
            var ba = new Pipe();
            return (new DuplexPipe(ba.Reader, ab.Writer), new DuplexPipe(ab.Reader, ba.Writer));
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _in.ReadAsync(buffer, cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => _in.Read(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _out.WriteAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => _out.Write(buffer, offset, count);

        public override Task FlushAsync(CancellationToken cancellationToken) => _out.FlushAsync(cancellationToken);

        public override void Flush() => _out.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                output.Complete();
                input.Complete();
            }

            base.Dispose(disposing);
        }
    }
}
