using System.Net.Sockets;
using Stevedore.Runtime.Containers;

namespace Stevedore.Runtime;

/// <summary>Attaching to a running container's main process, through its supervisor's attach socket.</summary>
public sealed partial class ContainerEngine
{
    /// <summary>
    /// Connects the caller to a running container until it exits (or <paramref name="cancellationToken"/>
    /// ends the session): its output from now on goes to <paramref name="stdout"/> / <paramref name="stderr"/>
    /// (everything to stdout with a TTY); <paramref name="stdin"/> feeds its stdin when it was created
    /// with <see cref="ContainerOptions.OpenStdin"/> (and is dropped otherwise); <paramref name="sizes"/>
    /// resize its terminal.
    /// </summary>
    public async Task AttachAsync(
        string idOrName, Stream? stdin, Stream? stdout, Stream? stderr, IAsyncEnumerable<TerminalSize>? sizes, CancellationToken cancellationToken)
    {
        var record = await RefreshAsync(Containers.Find(idOrName), cancellationToken);
        if (record.Status != ContainerStatus.Running)
        {
            throw new EngineException(EngineErrorKind.Conflict, $"container {record.Name} is not running");
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(AttachServer.SocketPathOf(Runc.StateRoot, record.Id)), cancellationToken);
        }
        catch (SocketException ex)
        {
            throw new EngineException(EngineErrorKind.Conflict, $"cannot attach to container {record.Name}: its supervisor does not answer ({ex.SocketErrorCode})");
        }

        await using var connection = new NetworkStream(socket, ownsSocket: false);
        using var writeLock = new SemaphoreSlim(1, 1);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        async Task SendAsync(AttachFrame frame)
        {
            await writeLock.WaitAsync(ended.Token);
            try
            {
                await connection.WriteAsync(frame.Encode(), ended.Token);
            }
            finally
            {
                writeLock.Release();
            }
        }

        var input = stdin is null ? Task.CompletedTask : Task.Run(async () =>
        {
            var buffer = new byte[32 * 1024];
            int n;
            while ((n = await stdin.ReadAsync(buffer, ended.Token)) > 0)
            {
                await SendAsync(new AttachFrame(AttachFrameKind.Stdin, buffer[..n]));
            }

            await SendAsync(new AttachFrame(AttachFrameKind.StdinClosed, []));
        }, ended.Token);
        var resizes = sizes is null ? Task.CompletedTask : Task.Run(async () =>
        {
            await foreach (var size in sizes.WithCancellation(ended.Token))
            {
                await SendAsync(AttachFrame.ForResize(size));
            }
        }, ended.Token);

        try
        {
            while (await AttachFrame.ReadAsync(connection, cancellationToken) is { } frame)
            {
                var target = frame.Kind == AttachFrameKind.Stderr ? stderr : stdout;
                if (target is not null && frame.Kind is AttachFrameKind.Stdout or AttachFrameKind.Stderr)
                {
                    await target.WriteAsync(frame.Payload, cancellationToken);
                    await target.FlushAsync(cancellationToken);
                }
            }
        }
        catch (IOException) when (!cancellationToken.IsCancellationRequested)
        {
            // The supervisor went away with the container.
        }
        finally
        {
            await ended.CancelAsync();
            await Task.WhenAll(input, resizes).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }
}
