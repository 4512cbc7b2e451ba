using System.Net.Sockets;
using System.Threading.Channels;
using Stevedore.Runtime.Native;

namespace Stevedore.Runtime.Containers;

/// <summary>
/// The supervisor's side of attach: a unix socket per running container over which any number of
/// clients receive the container's output from now on and may write to its stdin and resize its
/// terminal. It lives as long as the container runs; closing it ends every attached session.
/// </summary>
internal sealed class AttachServer : IAsyncDisposable
{
    private const int ClientQueue = 1024;

    private readonly Socket _listener;
    private readonly Stream? _stdin;
    private readonly bool _stdinOnce;
    private readonly PseudoTerminal? _terminal;
    private readonly SemaphoreSlim _stdinLock = new(1, 1);
    private readonly List<Client> _clients = [];
    private readonly Lock _clientsLock = new();
    private readonly CancellationTokenSource _stop = new();
    private bool _stdinClosed;

    private AttachServer(string path, Stream? stdin, bool stdinOnce, PseudoTerminal? terminal)
    {
        Path = path;
        _stdin = stdin;
        _stdinOnce = stdinOnce;
        _terminal = terminal;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    }

    /// <summary>The socket's path.</summary>
    public string Path { get; }

    /// <summary>
    /// Where a container's attach socket lives: beside the runtime's state directory (so the path
    /// stays under the 108 bytes a unix socket name may have), named by the start of its ID.
    /// </summary>
    public static string SocketPathOf(string runtimeStateRoot, string id)
    {
        var parent = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(runtimeStateRoot).TrimEnd('/')) ?? "/";
        return System.IO.Path.Combine(parent, "attach", id[..Math.Min(24, id.Length)] + ".sock");
    }

    /// <summary>
    /// Listens on <paramref name="path"/>. <paramref name="stdin"/> is the container's stdin (null when
    /// it has none: input is dropped); <paramref name="terminal"/> its terminal, for resizes.
    /// </summary>
    public static AttachServer Start(string path, Stream? stdin, bool stdinOnce, PseudoTerminal? terminal)
    {
        var directory = System.IO.Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.Delete(path);
        var server = new AttachServer(path, stdin, stdinOnce, terminal);
        server._listener.Bind(new UnixDomainSocketEndPoint(path));
        server._listener.Listen(16);
        _ = Task.Run(server.AcceptLoopAsync);
        return server;
    }

    /// <summary>A stream whose writes go to every attached client as <paramref name="kind"/> frames, and to <paramref name="foreground"/>.</summary>
    public Stream Output(AttachFrameKind kind, Stream? foreground) => new BroadcastStream(this, kind, foreground);

    private void Broadcast(AttachFrameKind kind, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var frame = new AttachFrame(kind, data.ToArray()).Encode();
        lock (_clientsLock)
        {
            foreach (var client in _clients.ToList())
            {
                if (!client.Queue.Writer.TryWrite(frame))
                {
                    // Too slow to keep up: drop the client rather than hold the container's output.
                    client.Close();
                    _clients.Remove(client);
                }
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                var client = new Client(socket);
                lock (_clientsLock)
                {
                    _clients.Add(client);
                }

                _ = Task.Run(() => ServeAsync(client));
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Client client)
    {
        var stream = new NetworkStream(client.Socket, ownsSocket: false);
        client.Sender = Task.Run(async () =>
        {
            try
            {
                await foreach (var frame in client.Queue.Reader.ReadAllAsync(_stop.Token))
                {
                    await stream.WriteAsync(frame, _stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
            finally
            {
                client.Close();
            }
        });

        try
        {
            while (await AttachFrame.ReadAsync(stream, _stop.Token) is { } frame)
            {
                await HandleAsync(frame);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (_clientsLock)
            {
                _clients.Remove(client);
            }

            client.Queue.Writer.TryComplete();
            await client.Sender;
        }
    }

    private async Task HandleAsync(AttachFrame frame)
    {
        switch (frame.Kind)
        {
            case AttachFrameKind.Stdin when _stdin is not null:
                await _stdinLock.WaitAsync(_stop.Token);
                try
                {
                    if (!_stdinClosed)
                    {
                        await _stdin.WriteAsync(frame.Payload, _stop.Token);
                        await _stdin.FlushAsync(_stop.Token);
                    }
                }
                catch (IOException)
                {
                    // The process closed its stdin.
                }
                finally
                {
                    _stdinLock.Release();
                }

                break;
            case AttachFrameKind.StdinClosed when _stdin is not null && _stdinOnce:
                await _stdinLock.WaitAsync(_stop.Token);
                try
                {
                    if (!_stdinClosed)
                    {
                        _stdinClosed = true;
                        await _stdin.DisposeAsync();
                    }
                }
                finally
                {
                    _stdinLock.Release();
                }

                break;
            case AttachFrameKind.Resize when _terminal is not null:
                try
                {
                    _terminal.Resize(frame.Size);
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidDataException)
                {
                }

                break;
        }
    }

    /// <summary>Stops listening, removes the socket and ends every session (after what was queued for them is sent).</summary>
    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        File.Delete(Path);
        List<Client> clients;
        lock (_clientsLock)
        {
            clients = [.. _clients];
        }

        foreach (var client in clients)
        {
            client.Queue.Writer.TryComplete();
        }

        // Let the senders flush the last output (briefly: a stuck client must not hold the supervisor), then cut everything.
        await Task.WhenAll(clients.Select(c => c.Sender)).WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(static _ => { }, TaskScheduler.Default);
        await _stop.CancelAsync();
        foreach (var client in clients)
        {
            client.Close();
        }
    }

    private sealed class Client(Socket socket)
    {
        public Socket Socket { get; } = socket;

        public Task Sender { get; set; } = Task.CompletedTask;

        public Channel<byte[]> Queue { get; } = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(ClientQueue) { FullMode = BoundedChannelFullMode.Wait });

        public void Close()
        {
            try
            {
                Socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }

            Socket.Dispose();
        }
    }

    private sealed class BroadcastStream(AttachServer server, AttachFrameKind kind, Stream? foreground) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            server.Broadcast(kind, buffer.Span);
            if (foreground is not null)
            {
                await foreground.WriteAsync(buffer, cancellationToken);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count)
        {
            server.Broadcast(kind, buffer.AsSpan(offset, count));
            foreground?.Write(buffer, offset, count);
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => foreground?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

        public override void Flush() => foreground?.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
