using System.Threading.Channels;

namespace Stevedore.Cri.Streaming;

/// <summary>
/// A read-only stream fed chunk by chunk by a connection's read loop (one per SPDY stream or
/// WebSocket channel). A bounded buffer: a consumer that stops reading eventually stops the loop,
/// which pushes back on the sender through TCP.
/// </summary>
public sealed class InboundStream : Stream
{
    private readonly Channel<ReadOnlyMemory<byte>> _chunks = Channel.CreateBounded<ReadOnlyMemory<byte>>(256);
    private ReadOnlyMemory<byte> _current;

    /// <summary>Queues data for the reader; dropped once <see cref="Complete"/> was called.</summary>
    public async ValueTask DeliverAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await _chunks.Writer.WriteAsync(data, cancellationToken);
        }
        catch (ChannelClosedException)
        {
        }
    }

    /// <summary>No more data: reads return 0 once the buffer is drained.</summary>
    public void Complete() => _chunks.Writer.TryComplete();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_current.IsEmpty)
        {
            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken))
            {
                return 0;
            }

            _chunks.Reader.TryRead(out _current);
        }

        var n = Math.Min(buffer.Length, _current.Length);
        _current[..n].CopyTo(buffer);
        _current = _current[n..];
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
