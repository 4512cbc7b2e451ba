using Stevedore.Network.Cni;

namespace Stevedore.Network;

/// <summary>How the node agent sets up the node's pod network.</summary>
public sealed class PodNetworkOptions
{
    /// <summary>
    /// Where the agent writes the conflist and the Stevedore engine reads it. Not <c>/etc/cni/net.d</c>:
    /// Debian's podman and other tools keep their own networks there, and a runtime takes the first file
    /// it finds. Point both sides at <c>/etc/cni/net.d</c> to use containerd's default.
    /// </summary>
    public const string DefaultConfDir = "/etc/stevedore/cni/net.d";

    /// <summary>The Stevedore data directory (host-local's allocations go to <c>&lt;DataDir&gt;/cni/networks</c>).</summary>
    public const string DefaultDataDir = "/var/lib/stevedore";

    public string ConfDir { get; set; } = DefaultConfDir;

    public string DataDir { get; set; } = DefaultDataDir;

    public string NetworkName { get; set; } = ConflistOptions.DefaultNetworkName;

    public string BridgeName { get; set; } = ConflistOptions.DefaultBridgeName;

    public string ConflistFileName { get; set; } = ConflistOptions.DefaultFileName;

    /// <summary>
    /// Destinations forwarded pod traffic may reach besides this node's pod CIDRs: the cluster CIDR
    /// (every node's pods) and, with several nodes, the other nodes' addresses. Everything else is
    /// dropped by the egress guard.
    /// </summary>
    public IReadOnlyList<string> AllowedDestinations { get; set; } = [];

    /// <summary>
    /// Off by default. On: the bridge masquerades pod traffic leaving the node and no egress guard is
    /// installed, so pods reach whatever the node reaches (the usual Kubernetes setup on a real network).
    /// </summary>
    public bool Masquerade { get; set; }

    /// <summary>The MTU of the bridge and veths; 0 for the plugin default.</summary>
    public int Mtu { get; set; }

    /// <summary>host-local's data directory for this node.</summary>
    public string IpamDataDir => Path.Combine(DataDir, "cni", "networks");
}
