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

    /// <summary>Opens a WebSocket offering <paramref name="protocols"/>; http(s) URLs become ws(s).</summary>
    /// <exception cref="StreamUpgradeException">The server refused the upgrade.</exception>
    public static async Task<WebSocket> WebSocketAsync(HttpMessageInvoker invoker, Uri url, IEnumerable<string> protocols, CancellationToken cancellationToken)
    {
        var builder = new UriBuilder(url) { Scheme = url.Scheme switch { "https" => "wss", "http" => "ws", _ => url.Scheme } };
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version11;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;
        foreach (var protocol in protocols)
        {
            socket.Options.AddSubProtocol(protocol);
        }

        try
        {
            await socket.ConnectAsync(builder.Uri, invoker, cancellationToken);
            return socket;
        }
        catch (WebSocketException ex)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            throw new StreamUpgradeException(status, ex.Message);
        }
    }
}
