namespace Stevedore.Cri.Streaming.Spdy;

/// <summary>
/// One SPDY stream as a <see cref="Stream"/>: reads return what the peer sends until it finishes
/// (FIN) or resets it; writes go out as DATA frames until <see cref="CloseWriteAsync"/> (FIN).
/// </summary>
public sealed class SpdyStream : Stream
{
    /// <summary>The largest DATA frame this side sends.</summary>
    public const int MaxFrameData = 32 * 1024;

    private readonly SpdyConnection _connection;
    private readonly InboundStream _inbound = new();
    private readonly TaskCompletionSource _replied = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _writeClosed;
    private bool _peerFinished;

    internal SpdyStream(SpdyConnection connection, uint id, SpdyHeaders headers, bool finishedByPeer)
    {
        _connection = connection;
        Id = id;
        Headers = headers;
        if (finishedByPeer)
        {
            PeerFinished();
        }
    }

    /// <summary>The stream ID.</summary>
    public uint Id { get; }

    /// <summary>The headers it was opened with.</summary>
    public SpdyHeaders Headers { get; }

    /// <summary>Set when the peer reset the stream.</summary>
    public SpdyResetStatus? ResetStatus { get; private set; }

    internal Task Replied => _replied.Task;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inbound.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            if (_writeClosed || ResetStatus is not null)
            {
                throw new IOException($"SPDY stream {Id} is closed for writing");
            }

            var chunk = buffer[..Math.Min(buffer.Length, MaxFrameData)];
            await _connection.WriteFrameAsync(new SpdyDataFrame(Id, false, chunk), cancellationToken);
            buffer = buffer[chunk.Length..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Ends this side of the stream (an empty DATA frame with FIN); idempotent.</summary>
    public async Task CloseWriteAsync(CancellationToken cancellationToken = default)
    {
        if (_writeClosed || ResetStatus is not null)
        {
            return;
        }

        _writeClosed = true;
        await _connection.WriteFrameAsync(new SpdyDataFrame(Id, true, ReadOnlyMemory<byte>.Empty), cancellationToken);
        ForgetIfDone();
    }

    /// <summary>Aborts the stream in both directions (RST_STREAM).</summary>
    public async Task ResetAsync(SpdyResetStatus status, CancellationToken cancellationToken = default)
    {
        if (ResetStatus is not null)
        {
            return;
        }

        ResetStatus = status;
        _writeClosed = true;
        PeerFinished();
        _connection.Forget(Id);
        await _connection.WriteFrameAsync(new SpdyRstStreamFrame(Id, status), cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await CloseWriteAsync();
        }
        catch (IOException)
        {
        }

        await base.DisposeAsync();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    internal void Accepted() => _replied.TrySetResult();

    internal void Fail(string message) => _replied.TrySetException(new IOException(message));

    // Data after FIN or reset is dropped, as spdystream does.
    internal ValueTask DeliverAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => _inbound.DeliverAsync(data, cancellationToken);

    internal void PeerFinished()
    {
        _peerFinished = true;
        _inbound.Complete();
        ForgetIfDone();
    }

    internal void PeerReset(SpdyResetStatus status)
    {
        ResetStatus = status;
        _writeClosed = true;
        Fail($"SPDY stream {Id} was reset ({status})");
        PeerFinished();
    }

    private void ForgetIfDone()
    {
        if (_peerFinished && _writeClosed)
        {
            _connection.Forget(Id);
        }
    }
}
