namespace Stevedore.Network.Cni;

/// <summary>What the node's pod network conflist is made of.</summary>
public sealed class ConflistOptions
{
    /// <summary>The network name (host-local keeps its allocations under <c>&lt;IpamDataDir&gt;/&lt;name&gt;</c>).</summary>
    public const string DefaultNetworkName = "stevedore";

    /// <summary>The bridge every pod's veth is attached to.</summary>
    public const string DefaultBridgeName = "stevedore0";

    /// <summary>The file the conflist is written to; "10-" sorts it before other tools' files (e.g. podman's 87-).</summary>
    public const string DefaultFileName = "10-stevedore.conflist";

    public string NetworkName { get; set; } = DefaultNetworkName;

    public string BridgeName { get; set; } = DefaultBridgeName;

    /// <summary>The node's pod CIDRs (one per address family), e.g. <c>10.42.0.0/24</c>.</summary>
    public IReadOnlyList<string> PodCidrs { get; set; } = [];

    /// <summary>Where host-local records allocated addresses (under the Stevedore data directory).</summary>
    public string IpamDataDir { get; set; } = "";

    /// <summary>
    /// Masquerade pod traffic leaving the node (bridge <c>ipMasq</c>). Off by default: pods reach the
    /// cluster only. Turn it on only where pods may reach whatever the node can.
    /// </summary>
    public bool Masquerade { get; set; }

    /// <summary>The MTU of the bridge and veths; 0 leaves the plugin's default.</summary>
    public int Mtu { get; set; }

    /// <summary>Lets a pod reach itself through a Service address (the bridge port reflects its own packets).</summary>
    public bool HairpinMode { get; set; } = true;

    /// <summary>The CNI spec version the conflist declares.</summary>
    public string CniVersion { get; set; } = "1.0.0";
}
