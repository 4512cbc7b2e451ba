using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Stevedore.Cri.Streaming.RemoteCommand;
using Stevedore.Cri.Streaming.Spdy;
using Stevedore.Cri.Streaming.WebSockets;

namespace Stevedore.Runtime.Cri.Streaming;

/// <summary>
/// The server side of one exec or attach session once the client's streams are there, whatever
/// carries them (SPDY streams or WebSocket channels): the standard streams asked for, terminal
/// sizes, and a way to end the session with a status.
/// </summary>
public abstract class RemoteCommandSession : IAsyncDisposable
{
    /// <summary>How long a client has to open the streams it announced.</summary>
    public static readonly TimeSpan StreamCreationTimeout = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _clientGone = new();

    /// <summary>The negotiated protocol ("" = v1 without negotiation).</summary>
    public required string Protocol { get; init; }

    public Stream? Stdin { get; protected init; }

    public Stream? Stdout { get; protected init; }

    public Stream? Stderr { get; protected init; }

    /// <summary>Terminal sizes from the client (null without a TTY or a resize-capable protocol).</summary>
    public IAsyncEnumerable<TerminalSize>? Sizes { get; protected init; }

    /// <summary>Cancelled when the client went away.</summary>
    public CancellationToken ClientGone => _clientGone.Token;

    /// <summary>Ends the outputs, sends <paramref name="status"/> and closes the session once the client let go (or after a short wait).</summary>
    public abstract Task FinishAsync(RemoteCommandStatus status);

    public abstract ValueTask DisposeAsync();

    protected void WatchClient(Task ended) => _ = ended.ContinueWith(_ => _clientGone.Cancel(), TaskScheduler.Default);

    /// <summary>Upgrades the request (WebSocket or SPDY) and waits for its streams; null when that failed (the answer is written).</summary>
    public static Task<RemoteCommandSession?> AcceptAsync(HttpContext context, RemoteCommandOptions options) =>
        WebSocketAccept.IsWebSocketRequest(context.Request) ? WebSocketRemoteCommandSession.UpgradeAsync(context, options) : SpdyRemoteCommandSession.UpgradeAsync(context, options);

    /// <summary>Writes a plain-text error answer (before any upgrade).</summary>
    internal static async Task RejectAsync(HttpContext context, int statusCode, string message)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n");
    }

    /// <summary>The sizes decoded from a resize stream, until it ends or turns invalid.</summary>
    protected static async IAsyncEnumerable<TerminalSize> ReadSizesAsync(Stream resize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var decoder = new TerminalSizeDecoder();
        var buffer = new byte[4096];
        while (true)
        {
            IReadOnlyList<TerminalSize> sizes;
            try
            {
                var n = await resize.ReadAsync(buffer, cancellationToken);
                if (n == 0)
                {
                    yield break;
                }

                sizes = decoder.Feed(buffer.AsSpan(0, n));
            }
            catch (Exception ex) when (ex is JsonException or IOException or OperationCanceledException)
            {
                yield break;
            }

            foreach (var size in sizes)
            {
                yield return size;
            }
        }
    }

    /// <summary>Buffers sizes so that reading the resize stream never waits for the consumer.</summary>
    protected static IAsyncEnumerable<TerminalSize> Buffered(IAsyncEnumerable<TerminalSize> sizes)
    {
        var channel = Channel.CreateUnbounded<TerminalSize>();
        _ = Task.Run(async () =>
        {
            await foreach (var size in sizes)
            {
                channel.Writer.TryWrite(size);
            }

            channel.Writer.TryComplete();
        });
        return channel.Reader.ReadAllAsync();
    }
}

/// <summary>A remote command session over SPDY streams.</summary>
internal sealed class SpdyRemoteCommandSession : RemoteCommandSession
{
    private SpdyConnection _connection = null!;
    private SpdyStream? _error;

    public static async Task<RemoteCommandSession?> UpgradeAsync(HttpContext context, RemoteCommandOptions options)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true }
            || !context.Request.Headers.Upgrade.ToString().Contains(StreamProtocols.SpdyUpgrade, StringComparison.OrdinalIgnoreCase))
        {
            await RejectAsync(context, 400, "unable to upgrade: missing upgrade headers in request");
            return null;
        }

        var offered = context.Request.Headers[StreamProtocols.VersionHeader].Select(v => v ?? "").ToList();
        var protocol = StreamProtocols.Negotiate(offered, StreamProtocols.SpdyRemoteCommand.ToArray());
        if (protocol is null)
        {
            foreach (var accepted in StreamProtocols.SpdyRemoteCommand)
            {
                context.Response.Headers.Append("X-Accepted-Stream-Protocol-Versions", accepted);
            }

            await RejectAsync(context, 403, $"unable to upgrade: unable to negotiate protocol: client supports [{string.Join(' ', offered)}], server accepts [{string.Join(' ', StreamProtocols.SpdyRemoteCommand)}]");
            return null;
        }

        context.Response.Headers.Upgrade = StreamProtocols.SpdyUpgrade;
        if (protocol.Length > 0)
        {
            context.Response.Headers[StreamProtocols.VersionHeader] = protocol;
        }

        var transport = await upgrade.UpgradeAsync();
        var connection = new SpdyConnection(transport, isServer: true);
        connection.Start();

        var expected = 1 + (options.Stdin ? 1 : 0) + (options.Stdout ? 1 : 0) + (options.Stderr ? 1 : 0) + (options.Tty && StreamProtocols.SupportsResize(protocol) ? 1 : 0);
        var streams = new Dictionary<string, SpdyStream>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.Closed);
        deadline.CancelAfter(StreamCreationTimeout);
        try
        {
            while (streams.Count < expected)
            {
                var stream = await connection.AcceptStreamAsync(deadline.Token);
                var type = stream.Headers.Get(StreamHeaders.StreamType) ?? "";
                if (type is StreamHeaders.Error or StreamHeaders.Stdin or StreamHeaders.Stdout or StreamHeaders.Stderr or StreamHeaders.Resize)
                {
                    streams[type] = stream;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // Timed out waiting for the client's streams, or it left.
            await connection.DisposeAsync();
            return null;
        }

        var session = new SpdyRemoteCommandSession
        {
            Protocol = protocol,
            Stdin = streams.GetValueOrDefault(StreamHeaders.Stdin),
            Stdout = streams.GetValueOrDefault(StreamHeaders.Stdout),
            Stderr = streams.GetValueOrDefault(StreamHeaders.Stderr),
            Sizes = options.Tty && streams.TryGetValue(StreamHeaders.Resize, out var resize) ? Buffered(ReadSizesAsync(resize)) : null,
        };
        session._connection = connection;
        session._error = streams.GetValueOrDefault(StreamHeaders.Error);
        if (protocol is "" or StreamProtocols.V1 && session.Stdin is SpdyStream stdin)
        {
            // v1 clients expect the server to close stdin at once (1.0 kubelets did).
            await stdin.CloseWriteAsync();
        }

        session.WatchClient(connection.Completion);
        return session;
    }

    public override async Task FinishAsync(RemoteCommandStatus status)
    {
        try
        {
            foreach (var output in new[] { Stdout, Stderr }.OfType<SpdyStream>())
            {
                await output.CloseWriteAsync();
            }

            if (_error is not null)
            {
                var bytes = status.Encode(Protocol);
                if (bytes.Length > 0)
                {
                    await _error.WriteAsync(bytes);
                }

                await _error.CloseWriteAsync();
            }

            await _connection.GoAwayAsync(CancellationToken.None);
        }
        catch (IOException)
        {
            // The client is gone already.
        }

        // The client closes the connection once it has read the status.
        await _connection.Completion.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    public override ValueTask DisposeAsync() => _connection.DisposeAsync();
}

/// <summary>A remote command session over the channel WebSocket protocols.</summary>
internal sealed class WebSocketRemoteCommandSession : RemoteCommandSession
{
    private ChannelWebSocket _channels = null!;

    public static async Task<RemoteCommandSession?> UpgradeAsync(HttpContext context, RemoteCommandOptions options)
    {
        if (!await WebSocketAccept.CheckAsync(context))
        {
            return null;
        }

        var offered = WebSocketAccept.RequestedProtocols(context.Request);
        var protocol = StreamProtocols.Negotiate(offered, StreamProtocols.WebSocketRemoteCommand.ToArray());
        if (protocol is null)
        {
            await RejectAsync(context, 400, $"requested protocol(s) are not supported: [{string.Join(' ', offered)}]; supports [{string.Join(' ', StreamProtocols.WebSocketRemoteCommand)}]");
            return null;
        }

        var socket = await WebSocketAccept.AcceptAsync(context, protocol);
        var channels = new ChannelWebSocket(socket, base64: protocol.Contains("base64", StringComparison.Ordinal), closeSignals: protocol == StreamProtocols.V5);
        var stdin = options.Stdin ? channels.Input(RemoteCommandChannels.Stdin) : null;
        var resize = channels.Input(RemoteCommandChannels.Resize);
        channels.Start();

        // Upstream tells the client the connection is up with an empty message on the lowest writable channel.
        var first = options.Stdout ? RemoteCommandChannels.Stdout : options.Stderr ? RemoteCommandChannels.Stderr : RemoteCommandChannels.Error;
        await channels.WriteAsync(first, ReadOnlyMemory<byte>.Empty, CancellationToken.None);

        var session = new WebSocketRemoteCommandSession
        {
            Protocol = protocol,
            Stdin = stdin,
            Stdout = options.Stdout ? channels.Output(RemoteCommandChannels.Stdout) : null,
            Stderr = options.Stderr ? channels.Output(RemoteCommandChannels.Stderr) : null,
            Sizes = options.Tty ? Buffered(ReadSizesAsync(resize)) : null,
        };
        session._channels = channels;
        if (!options.Tty)
        {
            _ = resize.CopyToAsync(Stream.Null);
        }

        session.WatchClient(channels.Completion);
        return session;
    }

    public override async Task FinishAsync(RemoteCommandStatus status)
    {
        try
        {
            var bytes = status.Encode(Protocol);
            if (bytes.Length > 0)
            {
                await _channels.WriteAsync(RemoteCommandChannels.Error, bytes, CancellationToken.None);
            }
        }
        catch (IOException)
        {
        }

        await _channels.CloseAsync(CancellationToken.None);
    }

    public override ValueTask DisposeAsync() => _channels.DisposeAsync();
}
