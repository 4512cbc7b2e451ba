using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Stevedore.Network.Dns;
using Stevedore.Network.Dns.Server;

namespace Stevedore.Kubelet.Dns;

/// <summary>How the agent serves cluster DNS on its node.</summary>
public sealed record NodeDnsOptions
{
    /// <summary>The default cluster DNS address: the service CIDR's base + 10, as k3s and kubeadm choose it.</summary>
    public static readonly IPAddress DefaultAddress = IPAddress.Parse("10.43.0.10");

    /// <summary>The cluster DNS address (<c>--cluster-dns</c>), put on <see cref="LinkName"/> and served on port <see cref="Port"/>.</summary>
    public IPAddress Address { get; init; } = DefaultAddress;

    public int Port { get; init; } = 53;

    public DnsZoneOptions Zone { get; init; } = new();

    /// <summary>Where other names go (<c>--dns-upstream</c>); null answers them REFUSED.</summary>
    public IPEndPoint? Upstream { get; init; }

    /// <summary>The link holding <see cref="Address"/>; removed when the agent stops.</summary>
    public string LinkName { get; init; } = DnsServingLink.DefaultName;

    /// <summary>How long to wait before trying again to set up the link and bind when that failed.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(10);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
