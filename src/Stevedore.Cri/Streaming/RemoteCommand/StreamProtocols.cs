namespace Stevedore.Cri.Streaming.RemoteCommand;

/// <summary>
/// The protocol names Kubernetes streaming negotiates: remote command (exec, attach) versions over
/// SPDY (<c>X-Stream-Protocol-Version</c>) and WebSocket (<c>Sec-WebSocket-Protocol</c>), and port-forward.
/// </summary>
public static class StreamProtocols
{
    /// <summary>The header a SPDY upgrade lists its protocols in (one per header value) and the answer names the chosen one in.</summary>
    public const string VersionHeader = "X-Stream-Protocol-Version";

    /// <summary>What SPDY upgrades ask for in <c>Upgrade</c>.</summary>
    public const string SpdyUpgrade = "SPDY/3.1";

    /// <summary>v1: no error stream semantics, no resize. Also the channel WebSocket protocol before v4.</summary>
    public const string V1 = "channel.k8s.io";

    /// <summary>v2: error stream, no resize.</summary>
    public const string V2 = "v2.channel.k8s.io";

    /// <summary>v3: adds the resize stream.</summary>
    public const string V3 = "v3.channel.k8s.io";

    /// <summary>v4: the error stream carries a JSON <c>metav1.Status</c> with the exit code.</summary>
    public const string V4 = "v4.channel.k8s.io";

    /// <summary>v5: v4 plus the WebSocket CLOSE signal (<c>[255, channel]</c>) that half-closes a channel (kubectl 1.30+).</summary>
    public const string V5 = "v5.channel.k8s.io";

    /// <summary>The base64 text WebSocket protocol before v4.</summary>
    public const string Base64 = "base64.channel.k8s.io";

    /// <summary>The base64 text WebSocket protocol of v4.</summary>
    public const string V4Base64 = "v4.base64.channel.k8s.io";

    /// <summary>Port forwarding over SPDY.</summary>
    public const string PortForward = "portforward.k8s.io";

    /// <summary>Prefix of the WebSocket protocol that tunnels a SPDY port-forward session (kubectl 1.31+).</summary>
    public const string SpdyTunnelPrefix = "SPDY/3.1+";

    /// <summary>The WebSocket protocol of a tunnelled SPDY port-forward session.</summary>
    public const string PortForwardTunnel = SpdyTunnelPrefix + PortForward;

    /// <summary>Remote command versions served over SPDY, most preferred first.</summary>
    public static IReadOnlyList<string> SpdyRemoteCommand { get; } = [V5, V4, V3, V2, V1];

    /// <summary>Remote command protocols served over WebSocket.</summary>
    public static IReadOnlyList<string> WebSocketRemoteCommand { get; } = [V5, V4, V4Base64, V1, Base64];

    /// <summary>
    /// The first of the client's protocols (in its order of preference) that the server supports;
    /// "" when the client named none (the v1 fallback); null when nothing matches.
    /// </summary>
    public static string? Negotiate(IEnumerable<string> clientProtocols, IReadOnlyCollection<string> serverProtocols)
    {
        var requested = clientProtocols.SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (requested.Count == 0)
        {
            return "";
        }

        return requested.FirstOrDefault(serverProtocols.Contains);
    }

    /// <summary>Whether a negotiated remote command protocol carries the resize stream.</summary>
    public static bool SupportsResize(string protocol) => protocol is V3 or V4 or V5 or V4Base64;

    /// <summary>Whether a negotiated remote command protocol sends a JSON status on the error stream.</summary>
    public static bool HasJsonStatus(string protocol) => protocol is V4 or V5 or V4Base64;

    /// <summary>Whether a negotiated remote command protocol waits for an error stream (v2 and later).</summary>
    public static bool HasErrorStream(string protocol) => protocol is not ("" or V1);
}

/// <summary>The SPDY stream headers of remote command and port-forward streams.</summary>
public static class StreamHeaders
{
    /// <summary>Which stream this is (<c>streamType</c>).</summary>
    public const string StreamType = "streamType";

    /// <summary>The port a port-forward stream is for.</summary>
    public const string Port = "port";

    /// <summary>Pairs the error and data streams of one forwarded connection.</summary>
    public const string RequestId = "requestID";

    public const string Error = "error";
    public const string Stdin = "stdin";
    public const string Stdout = "stdout";
    public const string Stderr = "stderr";
    public const string Resize = "resize";
    public const string Data = "data";
}

/// <summary>The channel numbers of the WebSocket remote command protocols.</summary>
public static class RemoteCommandChannels
{
    public const byte Stdin = 0;
    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const byte Error = 3;
    public const byte Resize = 4;

    /// <summary>v5: a message <c>[255, n]</c> half-closes channel n.</summary>
    public const byte CloseSignal = 255;
}
