using System.Net;

namespace Stevedore.Network.Proxy;

/// <summary>How a node's service proxy renders and applies its rules.</summary>
public sealed record ServiceProxyOptions
{
    public const string DefaultTableName = "stevedore_proxy";

    /// <summary>The nftables table (family <c>ip</c>) the proxy owns; tests use one of their own.</summary>
    public string TableName { get; init; } = DefaultTableName;

    /// <summary>This node: endpoints with this node name count for <c>Local</c> traffic policies.</summary>
    public string? NodeName { get; init; }

    /// <summary>
    /// The pod networks of the cluster. Traffic to a cluster IP from elsewhere (the node itself, another
    /// host) is masqueraded so replies come back through this node; pods keep their address.
    /// Empty: nothing is masqueraded for that reason.
    /// </summary>
    public IReadOnlyList<IPNetwork> ClusterCidrs { get; init; } = [];

    /// <summary>
    /// The service IP ranges. New connections to an address in them that no Service has are dropped
    /// (so they never leave the node towards a default route); to a Service's cluster IP on a port it
    /// does not have, refused.
    /// </summary>
    public IReadOnlyList<IPNetwork> ServiceCidrs { get; init; } = [];

    /// <summary>
    /// Cluster IPs a process on every node answers itself (cluster DNS on a dummy link): the proxy
    /// leaves them alone, no DNAT and no reject.
    /// </summary>
    public IReadOnlyList<IPAddress> LocallyServedAddresses { get; init; } = [];

    /// <summary>The packet mark bit that asks for masquerading (kube-proxy uses the same bit in its own table).</summary>
    public uint MasqueradeMark { get; init; } = 0x4000;

    /// <summary>
    /// Changes arriving closer together than this are applied together: the proxy syncs at most once
    /// per interval, always with the latest state.
    /// </summary>
    public TimeSpan MinSyncInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Turn on <c>net.bridge.bridge-nf-call-iptables</c> (loading <c>br_netfilter</c> if needed) before
    /// the first sync: without it a reply from a pod to a client pod on the same bridge is bridged
    /// without passing conntrack, is never un-DNATed, and the client drops it.
    /// </summary>
    public bool EnsureBridgeNetfilter { get; init; } = true;

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (TableName.Length is 0 or > 64 || !TableName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') || !char.IsAsciiLetter(TableName[0]))
        {
            throw new ArgumentException($"invalid proxy table name \"{TableName}\": use letters, digits, '_' and '-', starting with a letter");
        }

        if (MasqueradeMark == 0 || (MasqueradeMark & (MasqueradeMark - 1)) != 0)
        {
            throw new ArgumentException($"invalid masquerade mark 0x{MasqueradeMark:x}: it must be a single bit");
        }

        if (MinSyncInterval < TimeSpan.Zero)
        {
            throw new ArgumentException("the minimum sync interval cannot be negative");
        }
    }
}
