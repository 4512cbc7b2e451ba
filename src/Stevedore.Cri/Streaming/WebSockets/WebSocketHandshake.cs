using System.Security.Cryptography;
using System.Text;

namespace Stevedore.Cri.Streaming.WebSockets;

/// <summary>
/// The RFC 6455 opening handshake done by hand. .NET's WebSocket APIs refuse subprotocol names
/// that are not HTTP tokens, and Kubernetes uses one with a '/': <c>SPDY/3.1+portforward.k8s.io</c>.
/// </summary>
public static class WebSocketHandshake
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>The <c>Sec-WebSocket-Accept</c> answer to a <c>Sec-WebSocket-Key</c>.</summary>
    public static string AcceptFor(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key.Trim() + AcceptGuid)));

    /// <summary>A fresh random <c>Sec-WebSocket-Key</c>.</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    /// <summary>The protocols a <c>Sec-WebSocket-Protocol</c> header lists, in order.</summary>
    public static IReadOnlyList<string> ParseProtocols(IEnumerable<string?> headerValues) =>
        [.. headerValues.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
}
