using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using Stevedore.Cri.Streaming.RemoteCommand;
using Stevedore.Cri.Streaming.Spdy;

namespace Stevedore.Cri.Streaming.PortForward;

/// <summary>
/// The client side of a port-forward session: one SPDY connection (upgraded directly, or tunnelled
/// through a WebSocket as kubectl 1.31+ does) on which each forwarded connection is a pair of
/// streams, error and data, tied by a request ID.
/// </summary>
public sealed class PortForwardSession : IAsyncDisposable
{
    private readonly SpdyConnection _connection;
    private int _nextRequest;

    private PortForwardSession(SpdyConnection connection) => _connection = connection;

    /// <summary>Completes when the server ends the session.</summary>
    public Task Completion => _connection.Completion;

    /// <summary>Upgrades to SPDY with <c>portforward.k8s.io</c>.</summary>
    public static async Task<PortForwardSession> ConnectSpdyAsync(HttpMessageInvoker invoker, Uri url, HttpMethod method, CancellationToken cancellationToken)
    {
        var (connection, _) = await HttpUpgrade.SpdyAsync(invoker, url, method, [StreamProtocols.PortForward], cancellationToken);
        return Start(connection);
    }

    /// <summary>Opens a WebSocket with <c>SPDY/3.1+portforward.k8s.io</c> and runs SPDY inside it.</summary>
    public static async Task<PortForwardSession> ConnectTunnelAsync(HttpMessageInvoker invoker, Uri url, CancellationToken cancellationToken)
    {
        var socket = await HttpUpgrade.WebSocketAsync(invoker, url, [StreamProtocols.PortForwardTunnel], cancellationToken);
        return Start(WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true));
    }

    private static PortForwardSession Start(Stream connection)
    {
        var spdy = new SpdyConnection(connection, isServer: false);
        spdy.Start();
        return new PortForwardSession(spdy);
    }

    /// <summary>Opens a forwarded connection to <paramref name="port"/> in the pod.</summary>
    public async Task<ForwardedConnection> OpenAsync(int port, CancellationToken cancellationToken)
    {
        var request = Interlocked.Increment(ref _nextRequest).ToString(CultureInfo.InvariantCulture);
        var portText = port.ToString(CultureInfo.InvariantCulture);
        var error = await _connection.OpenStreamAsync(
            new SpdyHeaders().Add(StreamHeaders.StreamType, StreamHeaders.Error).Add(StreamHeaders.Port, portText).Add(StreamHeaders.RequestId, request), cancellationToken);
        await error.CloseWriteAsync(cancellationToken);
        var data = await _connection.OpenStreamAsync(
            new SpdyHeaders().Add(StreamHeaders.StreamType, StreamHeaders.Data).Add(StreamHeaders.Port, portText).Add(StreamHeaders.RequestId, request), cancellationToken);
        return new ForwardedConnection(data, ReadErrorAsync(error));
    }

    private static async Task<string> ReadErrorAsync(Stream error)
    {
        using var reader = new StreamReader(error, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}

/// <summary>One forwarded connection: its data stream, and whatever the server reports on its error stream.</summary>
public sealed record ForwardedConnection(SpdyStream Data, Task<string> Error);
