using System.Net.WebSockets;

namespace Stevedore.Cri.Streaming.WebSockets;

/// <summary>
/// Channels multiplexed over one WebSocket by the Kubernetes channel protocols (see
/// <see cref="ChannelMessage"/>). Register the channels to read with <see cref="Input"/> before
/// <see cref="Start"/>; messages for other channels are dropped, as upstream ignores them.
/// </summary>
public sealed class ChannelWebSocket : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly bool _base64;
    private readonly bool _closeSignals;
    private readonly Dictionary<byte, InboundStream> _inputs = [];
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();

    /// <summary>
    /// Channels over <paramref name="socket"/>; <paramref name="base64"/> for the text protocols,
    /// <paramref name="closeSignals"/> for v5.
    /// </summary>
    public ChannelWebSocket(WebSocket socket, bool base64, bool closeSignals)
    {
        _socket = socket;
        _base64 = base64;
        _closeSignals = closeSignals;
    }

    /// <summary>Completes when the peer closed the socket (or it broke).</summary>
    public Task Completion => _completion.Task;

    /// <summary>Whether the protocol has the v5 close signal.</summary>
    public bool HasCloseSignals => _closeSignals;

    /// <summary>The data the peer sends on <paramref name="channel"/>; ends when the peer closes it (v5) or the socket.</summary>
    public Stream Input(byte channel)
    {
        if (!_inputs.TryGetValue(channel, out var input))
        {
            _inputs[channel] = input = new InboundStream();
        }

        return input;
    }

    /// <summary>A write-only stream whose writes go out on <paramref name="channel"/>.</summary>
    public Stream Output(byte channel) => new ChannelOutputStream(this, channel);

    /// <summary>Starts reading messages.</summary>
    public void Start() => _ = Task.Run(ReadLoopAsync);

    /// <summary>Sends <paramref name="data"/> on <paramref name="channel"/> (one message; an empty one is allowed).</summary>
    public async Task WriteAsync(byte channel, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var (payload, type) = ChannelMessage.Encode(channel, data.Span, _base64);
        await SendAsync(payload, type, cancellationToken);
    }

    /// <summary>Tells the peer this side is done writing on <paramref name="channel"/> (v5 only; a no-op before).</summary>
    public async Task CloseChannelAsync(byte channel, CancellationToken cancellationToken)
    {
        if (_closeSignals)
        {
            await SendAsync(ChannelMessage.CloseSignal(channel), WebSocketMessageType.Binary, cancellationToken);
        }
    }

    /// <summary>Ends the session with a normal closure and waits (briefly) for the peer's answer.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _sendLock.WaitAsync(cancellationToken);
            try
            {
                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                }
            }
            finally
            {
                _sendLock.Release();
            }

            await _completion.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or TimeoutException or IOException or ObjectDisposedException)
        {
        }
    }

    private async Task SendAsync(byte[] payload, WebSocketMessageType type, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(payload, type, endOfMessage: true, cancellationToken);
        }
        catch (WebSocketException ex)
        {
            throw new IOException("the WebSocket closed", ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, _stop.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                var decoded = ChannelMessage.Decode(message.GetBuffer().AsSpan(0, (int)message.Length), _base64, _closeSignals);
                if (decoded is not { } m || !_inputs.TryGetValue(m.Channel, out var input))
                {
                    continue;
                }

                if (m.IsCloseSignal)
                {
                    input.Complete();
                }
                else if (m.Data.Length > 0)
                {
                    await input.DeliverAsync(m.Data, _stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or FormatException or ObjectDisposedException)
        {
        }
        finally
        {
            foreach (var input in _inputs.Values)
            {
                input.Complete();
            }

            _completion.TrySetResult();
        }
    }

    /// <summary>Aborts the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Abort();
        _socket.Dispose();
        foreach (var input in _inputs.Values)
        {
            input.Complete();
        }
    }

    private sealed class ChannelOutputStream(ChannelWebSocket socket, byte channel) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!buffer.IsEmpty)
            {
                await socket.WriteAsync(channel, buffer, cancellationToken);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
