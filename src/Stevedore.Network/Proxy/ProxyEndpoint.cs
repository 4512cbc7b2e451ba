using System.Net;

namespace Stevedore.Network.Proxy;

/// <summary>
/// One backend of a service port, with the conditions an EndpointSlice reports: <paramref name="Ready"/>
/// (in rotation), <paramref name="Serving"/> (answers, whether or not terminating) and
/// <paramref name="Terminating"/>. <paramref name="NodeName"/> decides whether it counts for a
/// <c>Local</c> traffic policy.
/// </summary>
public sealed record ProxyEndpoint(IPAddress Address, int Port, bool Ready = true, bool Serving = true, bool Terminating = false, string? NodeName = null)
{
    /// <summary><c>address:port</c>, the endpoint's identity within its service port.</summary>
    public override string ToString() => $"{Address}:{Port}";
}
