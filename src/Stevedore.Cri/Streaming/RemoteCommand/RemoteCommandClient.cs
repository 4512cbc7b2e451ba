using System.Net.WebSockets;
using Stevedore.Cri.Streaming.Spdy;
using Stevedore.Cri.Streaming.WebSockets;

namespace Stevedore.Cri.Streaming.RemoteCommand;

/// <summary>Which standard streams a remote command session carries, and whether it has a terminal.</summary>
public sealed record RemoteCommandOptions(bool Stdin, bool Stdout, bool Stderr, bool Tty);

/// <summary>
/// The client side of exec and attach, as kubectl speaks them: SPDY (kubectl up to 1.29 and the
/// fallback of later ones) or the WebSocket channel protocols (v5 from kubectl 1.30).
/// </summary>
public static class RemoteCommandClient
{
    /// <summary>
    /// Runs a session over SPDY: copies <paramref name="stdin"/> in (then half-closes it), the
    /// outputs out, sends <paramref name="resize"/> events, and returns the final status.
    /// </summary>
    public static async Task<RemoteCommandStatus> RunSpdyAsync(
        HttpMessageInvoker invoker, Uri url, HttpMethod method, RemoteCommandOptions options,
        Stream? stdin, Stream? stdout, Stream? stderr, IAsyncEnumerable<TerminalSize>? resize,
        CancellationToken cancellationToken, IReadOnlyList<string>? protocols = null)
    {
        var (connection, protocol) = await HttpUpgrade.SpdyAsync(invoker, url, method, protocols ?? [StreamProtocols.V4, StreamProtocols.V3, StreamProtocols.V2, StreamProtocols.V1], cancellationToken);
        await using var spdy = new SpdyConnection(connection, isServer: false);
        spdy.Start();

        SpdyStream? error = null;
        if (StreamProtocols.HasErrorStream(protocol))
        {
            error = await spdy.OpenStreamAsync(Typed(StreamHeaders.Error), cancellationToken);
        }

        var stdinStream = options.Stdin ? await spdy.OpenStreamAsync(Typed(StreamHeaders.Stdin), cancellationToken) : null;
        var stdoutStream = options.Stdout ? await spdy.OpenStreamAsync(Typed(StreamHeaders.Stdout), cancellationToken) : null;
        var stderrStream = options.Stderr && !options.Tty ? await spdy.OpenStreamAsync(Typed(StreamHeaders.Stderr), cancellationToken) : null;
        var resizeStream = options.Tty && StreamProtocols.SupportsResize(protocol) ? await spdy.OpenStreamAsync(Typed(StreamHeaders.Resize), cancellationToken) : null;

        var outputs = Task.WhenAll(
            stdoutStream is null ? Task.CompletedTask : stdoutStream.CopyToAsync(stdout ?? Stream.Null, cancellationToken),
            stderrStream is null ? Task.CompletedTask : stderrStream.CopyToAsync(stderr ?? Stream.Null, cancellationToken));
        _ = stdinStream is null ? Task.CompletedTask : FeedAsync(stdin, stdinStream, () => stdinStream.CloseWriteAsync(CancellationToken.None), cancellationToken);
        _ = resizeStream is null || resize is null ? Task.CompletedTask : SendSizesAsync(resize, size => resizeStream.WriteAsync(TerminalSizeDecoder.Encode(size), cancellationToken).AsTask(), cancellationToken);

        var status = RemoteCommandStatus.Succeeded;
        if (error is not null)
        {
            status = RemoteCommandStatus.Decode(protocol, await ReadAllAsync(error, cancellationToken));
        }

        await outputs.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return status;
    }

    /// <summary>Runs a session over WebSocket (<paramref name="protocol"/> v5 by default, as kubectl 1.30+ asks).</summary>
    public static async Task<RemoteCommandStatus> RunWebSocketAsync(
        HttpMessageInvoker invoker, Uri url, RemoteCommandOptions options,
        Stream? stdin, Stream? stdout, Stream? stderr, IAsyncEnumerable<TerminalSize>? resize,
        CancellationToken cancellationToken, string protocol = StreamProtocols.V5)
    {
        var socket = await HttpUpgrade.WebSocketAsync(invoker, url, [protocol], cancellationToken);
        var negotiated = socket.SubProtocol ?? "";
        await using var channels = new ChannelWebSocket(socket, base64: negotiated.Contains("base64", StringComparison.Ordinal), closeSignals: negotiated == StreamProtocols.V5);
        var outputs = Task.WhenAll(
            channels.Input(RemoteCommandChannels.Stdout).CopyToAsync(stdout ?? Stream.Null, cancellationToken),
            channels.Input(RemoteCommandChannels.Stderr).CopyToAsync(stderr ?? Stream.Null, cancellationToken));
        var error = ReadAllAsync(channels.Input(RemoteCommandChannels.Error), cancellationToken);
        channels.Start();

        if (options.Stdin)
        {
            _ = FeedAsync(stdin, channels.Output(RemoteCommandChannels.Stdin), () => channels.CloseChannelAsync(RemoteCommandChannels.Stdin, CancellationToken.None), cancellationToken);
        }

        if (options.Tty && resize is not null)
        {
            _ = SendSizesAsync(resize, size => channels.WriteAsync(RemoteCommandChannels.Resize, TerminalSizeDecoder.Encode(size), cancellationToken), cancellationToken);
        }

        // The server closes the socket after writing the status; the error channel ends with it.
        var status = RemoteCommandStatus.Decode(negotiated, await error);
        await outputs.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        await channels.CloseAsync(cancellationToken);
        return status;
    }

    private static SpdyHeaders Typed(string type) => new SpdyHeaders().Add(StreamHeaders.StreamType, type);

    private static async Task FeedAsync(Stream? source, Stream destination, Func<Task> close, CancellationToken cancellationToken)
    {
        try
        {
            if (source is not null)
            {
                await source.CopyToAsync(destination, cancellationToken);
            }

            await close();
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The session ended first.
        }
    }

    private static async Task SendSizesAsync(IAsyncEnumerable<TerminalSize> sizes, Func<TerminalSize, Task> send, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var size in sizes.WithCancellation(cancellationToken))
            {
                await send(size);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }
}
