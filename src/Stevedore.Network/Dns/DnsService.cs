using System.Net;

namespace Stevedore.Network.Dns;

/// <summary>How a Service is published in DNS.</summary>
public enum DnsServiceKind
{
    /// <summary>A virtual IP: the Service name resolves to its cluster IPs.</summary>
    ClusterIP,

    /// <summary><c>clusterIP: None</c>: the Service name resolves to its ready endpoints' addresses.</summary>
    Headless,

    /// <summary>An alias: the Service name is a CNAME to <see cref="DnsService.ExternalName"/>.</summary>
    ExternalName,
}

/// <summary>A port by name and protocol (TCP, UDP, SCTP), as a Service or an endpoint slice lists it.</summary>
public readonly record struct DnsPort(string Name, string Protocol, int Port);

/// <summary>
/// One endpoint of a Service: its addresses, its hostname (set for pods whose subdomain names the
/// Service: the StatefulSet identity), whether it is ready, and the ports its slice lists.
/// </summary>
public sealed record DnsEndpoint(IReadOnlyList<IPAddress> Addresses, string? Hostname, bool Ready, IReadOnlyList<DnsPort> Ports);

/// <summary>What the cluster DNS needs to know about one Service: plain data, no Kubernetes types.</summary>
public sealed record DnsService
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public DnsServiceKind Kind { get; init; } = DnsServiceKind.ClusterIP;

    /// <summary>The cluster IPs (IPv4 and/or IPv6) of a <see cref="DnsServiceKind.ClusterIP"/> Service.</summary>
    public IReadOnlyList<IPAddress> ClusterIPs { get; init; } = [];

    /// <summary>The alias of an <see cref="DnsServiceKind.ExternalName"/> Service.</summary>
    public string? ExternalName { get; init; }

    /// <summary>The Service's own ports (their names make the SRV records of a ClusterIP Service).</summary>
    public IReadOnlyList<DnsPort> Ports { get; init; } = [];

    /// <summary>Not-ready endpoints are published too (<c>spec.publishNotReadyAddresses</c>).</summary>
    public bool PublishNotReadyAddresses { get; init; }

    public IReadOnlyList<DnsEndpoint> Endpoints { get; init; } = [];
}
