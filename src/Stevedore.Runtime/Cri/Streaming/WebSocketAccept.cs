using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Stevedore.Cri.Streaming;
using Stevedore.Cri.Streaming.WebSockets;

namespace Stevedore.Runtime.Cri.Streaming;

/// <summary>
/// The server side of the WebSocket handshake, by hand: ASP.NET Core's refuses subprotocol names
/// that are not HTTP tokens, such as <c>SPDY/3.1+portforward.k8s.io</c>.
/// </summary>
internal static class WebSocketAccept
{
    /// <summary>Whether the request asks for a WebSocket.</summary>
    public static bool IsWebSocketRequest(HttpRequest request) =>
        string.Equals(request.Headers.Upgrade.ToString(), "websocket", StringComparison.OrdinalIgnoreCase)
        && request.Headers.Connection.ToString().Contains("upgrade", StringComparison.OrdinalIgnoreCase);

    /// <summary>The subprotocols the client offers, in its order.</summary>
    public static IReadOnlyList<string> RequestedProtocols(HttpRequest request) =>
        WebSocketHandshake.ParseProtocols(request.Headers["Sec-WebSocket-Protocol"]);

    /// <summary>Answers 101 with <paramref name="protocol"/> (none when null or empty) and returns the server-side socket.</summary>
    public static async Task<WebSocket> AcceptAsync(HttpContext context, string? protocol)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>() ?? throw new InvalidOperationException("the connection cannot be upgraded");
        var key = context.Request.Headers["Sec-WebSocket-Key"].ToString();
        context.Response.Headers.Upgrade = "websocket";
        context.Response.Headers["Sec-WebSocket-Accept"] = WebSocketHandshake.AcceptFor(key);
        if (!string.IsNullOrEmpty(protocol))
        {
            context.Response.Headers["Sec-WebSocket-Protocol"] = protocol;
        }

        var stream = await upgrade.UpgradeAsync();
        return new NegotiatedWebSocket(
            WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(30) }),
            protocol);
    }

    /// <summary>Whether the request is a usable WebSocket upgrade; writes a 400 answer when it is not.</summary>
    public static async Task<bool> CheckAsync(HttpContext context)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is { IsUpgradableRequest: true }
            && context.Request.Headers["Sec-WebSocket-Version"].ToString() == "13"
            && !string.IsNullOrEmpty(context.Request.Headers["Sec-WebSocket-Key"].ToString()))
        {
            return true;
        }

        await RemoteCommandSession.RejectAsync(context, 400, "bad WebSocket handshake: version 13 and a key are required");
        return false;
    }
}
