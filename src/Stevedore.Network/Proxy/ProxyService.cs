using System.Net;

namespace Stevedore.Network.Proxy;

/// <summary>
/// One port of one Service as the proxy sees it: where clients send (the cluster IP, the node port on
/// the node's addresses, external addresses such as LoadBalancer ingress IPs), how a backend is chosen
/// (session affinity, traffic policies) and the backends. Kubernetes-free on purpose: the agent
/// translates Services and EndpointSlices into this.
/// </summary>
public sealed record ProxyService
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    /// <summary>The port's name; empty for a Service's only, unnamed port.</summary>
    public string PortName { get; init; } = "";

    public ProxyProtocol Protocol { get; init; } = ProxyProtocol.Tcp;

    public required IPAddress ClusterIP { get; init; }

    public required int Port { get; init; }

    /// <summary>The node port (30000–32767 by default), 0 when the Service has none.</summary>
    public int NodePort { get; init; }

    /// <summary>Addresses answered like the cluster IP but from outside: LoadBalancer ingress IPs and <c>spec.externalIPs</c>.</summary>
    public IReadOnlyList<IPAddress> ExternalAddresses { get; init; } = [];

    /// <summary><c>sessionAffinity: ClientIP</c>: how long a client sticks to its endpoint; null for no affinity.</summary>
    public TimeSpan? SessionAffinityTimeout { get; init; }

    /// <summary><c>externalTrafficPolicy: Local</c>: node port and external traffic only to this node's endpoints (client address kept).</summary>
    public bool ExternalTrafficLocal { get; init; }

    /// <summary><c>internalTrafficPolicy: Local</c>: cluster IP traffic only to this node's endpoints.</summary>
    public bool InternalTrafficLocal { get; init; }

    public IReadOnlyList<ProxyEndpoint> Endpoints { get; init; } = [];

    /// <summary><c>namespace/name/protocol/port</c>, unique per service port and stable across updates.</summary>
    public string Key => $"{Namespace}/{Name}/{Protocol.ToString().ToLowerInvariant()}/{(PortName.Length > 0 ? PortName : "p" + Port)}";

    /// <summary>Whether traffic can reach it from outside the cluster network (node port or external addresses).</summary>
    public bool IsExternallyReachable => NodePort != 0 || ExternalAddresses.Count > 0;
}
