using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Stevedore.Cri.Streaming.Spdy;

/// <summary>
/// One SPDY/3.1 session over an upgraded connection, as Kubernetes uses it (moby/spdystream on the
/// Go side): streams opened by either side, each accepted with a SYN_REPLY; pings echoed; no flow
/// control (the Go peers ignore WINDOW_UPDATE and never send it).
/// </summary>
public sealed class SpdyConnection : IAsyncDisposable
{
    private readonly Stream _transport;
    private readonly SpdyFrameReader _reader;
    private readonly SpdyFrameWriter _writer = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, SpdyStream> _streams = new();
    private readonly ConcurrentDictionary<uint, TaskCompletionSource> _pings = new();
    private readonly Channel<SpdyStream> _accepted = Channel.CreateUnbounded<SpdyStream>();
    private readonly Func<SpdyHeaders, string?>? _validate;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _idLock = new();
    private uint _nextStreamId;
    private uint _nextPingId;
    private uint _lastPeerStreamId;
    private bool _goneAway;
    private int _disposed;

    /// <summary>
    /// A session over <paramref name="transport"/>. <paramref name="validateStream"/> sees the
    /// headers of each stream the peer opens and returns an error message to refuse it (RST_STREAM).
    /// </summary>
    public SpdyConnection(Stream transport, bool isServer, Func<SpdyHeaders, string?>? validateStream = null)
    {
        _transport = transport;
        _reader = new SpdyFrameReader(transport);
        _validate = validateStream;
        IsServer = isServer;
        _nextStreamId = isServer ? 2u : 1u;
        _nextPingId = isServer ? 2u : 1u;
    }

    /// <summary>Whether this side is the server (even stream and ping IDs).</summary>
    public bool IsServer { get; }

    /// <summary>Completes when the peer's side of the connection has ended (or broke).</summary>
    public Task Completion => _completion.Task;

    /// <summary>Cancelled when the connection is over.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Starts reading frames. Call once, after wiring up whatever consumes accepted streams.</summary>
    public void Start() => _ = Task.Run(ReadLoopAsync);

    /// <summary>The next stream the peer opened (already accepted); fails once the connection is over.</summary>
    public async ValueTask<SpdyStream> AcceptStreamAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _accepted.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new IOException("the SPDY connection closed");
        }
    }

    /// <summary>Opens a stream and waits for the peer to accept it.</summary>
    /// <exception cref="IOException">The peer refused it or the connection closed.</exception>
    public async Task<SpdyStream> OpenStreamAsync(SpdyHeaders headers, CancellationToken cancellationToken)
    {
        uint id;
        lock (_idLock)
        {
            id = _nextStreamId;
            _nextStreamId += 2;
        }

        var stream = new SpdyStream(this, id, headers, finishedByPeer: false);
        _streams[id] = stream;
        await WriteFrameAsync(new SpdySynStreamFrame(id, 0, 0, false, false, headers), cancellationToken);
        using var closed = _closed.Token.Register(() => stream.Fail("the SPDY connection closed"));
        await stream.Replied.WaitAsync(cancellationToken);
        return stream;
    }

    /// <summary>Sends a ping and waits for its echo.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        uint id;
        lock (_idLock)
        {
            id = _nextPingId;
            _nextPingId += 2;
        }

        var echoed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pings[id] = echoed;
        try
        {
            await WriteFrameAsync(new SpdyPingFrame(id), cancellationToken);
            await echoed.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _pings.TryRemove(id, out _);
        }
    }

    /// <summary>Tells the peer no more streams will be accepted (GOAWAY).</summary>
    public async Task GoAwayAsync(CancellationToken cancellationToken)
    {
        _goneAway = true;
        await WriteFrameAsync(new SpdyGoAwayFrame(_lastPeerStreamId, 0), cancellationToken);
    }

    /// <summary>Writes one frame (frames are serialised: header compression depends on their order).</summary>
    internal async Task WriteFrameAsync(SpdyFrame frame, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var bytes = _writer.Encode(frame);
            await _transport.WriteAsync(bytes, cancellationToken);
            await _transport.FlushAsync(cancellationToken);
        }
        catch (ObjectDisposedException ex)
        {
            throw new IOException("the SPDY connection closed", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    internal void Forget(uint id) => _streams.TryRemove(id, out _);

    private async Task ReadLoopAsync()
    {
        Exception? failure = null;
        try
        {
            while (await _reader.ReadAsync(_closed.Token) is { } frame)
            {
                await HandleAsync(frame);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or OperationCanceledException or ObjectDisposedException)
        {
            failure = ex;
        }
        finally
        {
            foreach (var stream in _streams.Values)
            {
                stream.PeerFinished();
                stream.Fail("the SPDY connection closed");
            }

            _accepted.Writer.TryComplete();
            foreach (var ping in _pings.Values)
            {
                ping.TrySetException(new IOException("the SPDY connection closed"));
            }

            _closed.Cancel();
            if (failure is InvalidDataException)
            {
                _completion.TrySetException(failure);
            }
            else
            {
                _completion.TrySetResult();
            }
        }
    }

    private async Task HandleAsync(SpdyFrame frame)
    {
        switch (frame)
        {
            case SpdySynStreamFrame syn:
                await HandleSynStreamAsync(syn);
                break;
            case SpdySynReplyFrame reply when _streams.TryGetValue(reply.StreamId, out var opened):
                opened.Accepted();
                if (reply.Fin)
                {
                    opened.PeerFinished();
                }

                break;
            case SpdyDataFrame data when _streams.TryGetValue(data.StreamId, out var stream):
                if (data.Data.Length > 0)
                {
                    await stream.DeliverAsync(data.Data, _closed.Token);
                }

                if (data.Fin)
                {
                    stream.PeerFinished();
                }

                break;
            case SpdyRstStreamFrame rst when _streams.TryGetValue(rst.StreamId, out var reset):
                reset.PeerReset(rst.Status);
                _streams.TryRemove(rst.StreamId, out _);
                break;
            case SpdyHeadersFrame headers when headers.Fin && _streams.TryGetValue(headers.StreamId, out var finished):
                finished.PeerFinished();
                break;
            case SpdyPingFrame ping when (ping.Id & 1) != (_nextPingId & 1):
                await WriteFrameAsync(ping, _closed.Token);
                break;
            case SpdyPingFrame ping:
                if (_pings.TryGetValue(ping.Id, out var echoed))
                {
                    echoed.TrySetResult();
                }

                break;
            case SpdyGoAwayFrame:
                _goneAway = true;
                break;
        }
    }

    private async Task HandleSynStreamAsync(SpdySynStreamFrame syn)
    {
        var peerParity = IsServer ? 1u : 0u;
        if ((syn.StreamId & 1) != peerParity || syn.StreamId <= _lastPeerStreamId)
        {
            await WriteFrameAsync(new SpdyRstStreamFrame(syn.StreamId, SpdyResetStatus.ProtocolError), _closed.Token);
            return;
        }

        _lastPeerStreamId = syn.StreamId;
        var refusal = _goneAway ? "the connection is going away" : _validate?.Invoke(syn.Headers);
        if (refusal is not null)
        {
            await WriteFrameAsync(new SpdyRstStreamFrame(syn.StreamId, SpdyResetStatus.RefusedStream), _closed.Token);
            return;
        }

        var stream = new SpdyStream(this, syn.StreamId, syn.Headers, finishedByPeer: syn.Fin);
        stream.Accepted();
        _streams[syn.StreamId] = stream;
        await WriteFrameAsync(new SpdySynReplyFrame(syn.StreamId, false, new SpdyHeaders()), _closed.Token);
        _accepted.Writer.TryWrite(stream);
    }

    /// <summary>Closes the transport; every stream ends.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _closed.CancelAsync();
        await _transport.DisposeAsync();
        _accepted.Writer.TryComplete();
        foreach (var stream in _streams.Values)
        {
            stream.PeerFinished();
            stream.Fail("the SPDY connection closed");
        }
    }
}
