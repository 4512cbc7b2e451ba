namespace Stevedore.Network.Proxy;

/// <summary>The transport protocol of a service port.</summary>
public enum ProxyProtocol
{
    Tcp,
    Udp,
    Sctp,
}
