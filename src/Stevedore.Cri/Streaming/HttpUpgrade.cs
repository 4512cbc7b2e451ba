using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;

namespace Stevedore.Cri.Streaming;

/// <summary>The server refused to switch protocols; carries its status and body.</summary>
public sealed class StreamUpgradeException(HttpStatusCode statusCode, string body)
    : IOException($"the server did not switch protocols: {(int)statusCode} {statusCode}: {body}")
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    public string Body { get; } = body;
}

/// <summary>The client side of the upgrades Kubernetes streaming uses (SPDY/3.1 and WebSocket), over any HttpMessageInvoker.</summary>
public static class HttpUpgrade
{
    /// <summary>
    /// Sends an HTTP/1.1 <c>Upgrade: SPDY/3.1</c> request offering <paramref name="protocols"/> and
    /// returns the raw connection and the protocol the server chose once it answered 101.
    /// </summary>
    /// <exception cref="StreamUpgradeException">Any other answer.</exception>
    public static async Task<(Stream Connection, string Protocol)> SpdyAsync(
        HttpMessageInvoker invoker, Uri url, HttpMethod method, IEnumerable<string> protocols, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, url) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue("SPDY", "3.1"));
        foreach (var protocol in protocols)
        {
            request.Headers.TryAddWithoutValidation(RemoteCommand.StreamProtocols.VersionHeader, protocol);
        }

        var response = await invoker.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Dispose();
            throw new StreamUpgradeException(response.StatusCode, body);
        }

        var chosen = response.Headers.TryGetValues(RemoteCommand.StreamProtocols.VersionHeader, out var values) ? values.FirstOrDefault() ?? "" : "";
        return (await response.Content.ReadAsStreamAsync(cancellationToken), chosen);
    }

    /// <summary>
    /// Opens a WebSocket offering <paramref name="protocols"/> (any names, even ones .NET's own
    /// client would refuse); http(s) URLs work as ws(s). Returns the socket and the protocol chosen.
    /// </summary>
    /// <exception cref="StreamUpgradeException">The server refused the upgrade.</exception>
    public static async Task<WebSocket> WebSocketAsync(HttpMessageInvoker invoker, Uri url, IEnumerable<string> protocols, CancellationToken cancellationToken)
    {
        var builder = new UriBuilder(url) { Scheme = url.Scheme switch { "wss" => "https", "ws" => "http", _ => url.Scheme } };
        var key = WebSockets.WebSocketHandshake.NewKey();
        var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Key", key);
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Version", "13");
        var offered = protocols.ToList();
        if (offered.Count > 0)
        {
            request.Headers.TryAddWithoutValidation("Sec-WebSocket-Protocol", string.Join(", ", offered));
        }

        var response = await invoker.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Dispose();
            throw new StreamUpgradeException(response.StatusCode, body);
        }

        var accept = response.Headers.TryGetValues("Sec-WebSocket-Accept", out var values) ? values.FirstOrDefault() : null;
        if (accept != WebSockets.WebSocketHandshake.AcceptFor(key))
        {
            response.Dispose();
            throw new StreamUpgradeException(response.StatusCode, "the server's Sec-WebSocket-Accept does not match the key");
        }

        var chosen = response.Headers.TryGetValues("Sec-WebSocket-Protocol", out var chosenValues) ? chosenValues.FirstOrDefault() : null;
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return new NegotiatedWebSocket(
            WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.FromSeconds(30) }),
            chosen);
    }
}

/// <summary>A WebSocket that reports the subprotocol its handshake chose, whatever characters it has.</summary>
public sealed class NegotiatedWebSocket(WebSocket inner, string? subProtocol) : WebSocket
{
    public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;
    public override string? CloseStatusDescription => inner.CloseStatusDescription;
    public override WebSocketState State => inner.State;
    public override string? SubProtocol => subProtocol;

    public override void Abort() => inner.Abort();

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override void Dispose() => inner.Dispose();

    public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
        inner.ReceiveAsync(buffer, cancellationToken);

    public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        inner.ReceiveAsync(buffer, cancellationToken);

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);
}
