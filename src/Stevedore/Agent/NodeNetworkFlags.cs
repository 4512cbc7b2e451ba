using System.CommandLine;
using System.Net;
using Stevedore.Kubelet.Server;
using Stevedore.Network;
using Stevedore.Network.Cni;

namespace Stevedore.Agent;

/// <summary>
/// The node-network flags <c>stevedore server</c> and <c>stevedore agent</c> share: cluster CIDR, CNI bridge,
/// CNI conf dir and kubelet port. Their defaults suit one node per machine; changing them lets a second
/// agent (a benchmark, a test cluster) run beside the first without sharing its bridge, conflist or port.
/// </summary>
internal sealed class NodeNetworkFlags
{
    public const string DefaultClusterCidr = "10.42.0.0/16";

    public Option<string> ClusterCidr { get; } = new("--cluster-cidr") { Description = "IPv4 range pods get addresses from (a /24 per node); pod traffic may reach it and nothing else off the node", DefaultValueFactory = _ => DefaultClusterCidr };

    public Option<string> CniBridge { get; } = new("--cni-bridge") { Description = "Name of the node's pod bridge (also names its egress guard, nft table stevedore_egress_NAME)", DefaultValueFactory = _ => ConflistOptions.DefaultBridgeName };

    public Option<string> CniConfDir { get; } = new("--cni-conf-dir") { Description = "Folder the agent writes the CNI conflist to and the runtime reads it from (for containerd: its CRI plugin's conf_dir)", DefaultValueFactory = _ => PodNetworkOptions.DefaultConfDir };

    public Option<int> KubeletPort { get; } = new("--kubelet-port") { Description = "Port the kubelet serves logs, exec, attach and port-forward on for the API server", DefaultValueFactory = _ => KubeletServerOptions.DefaultPort };

    public IEnumerable<Option> All => [ClusterCidr, CniBridge, CniConfDir, KubeletPort];

    /// <summary>The settings with the flags' values.</summary>
    public AgentSettings ApplyTo(AgentSettings settings, ParseResult parse) => settings with
    {
        ClusterCidr = parse.GetValue(ClusterCidr)!,
        BridgeName = parse.GetValue(CniBridge)!,
        CniConfDir = parse.GetValue(CniConfDir)!,
        KubeletPort = parse.GetValue(KubeletPort),
    };

    /// <summary>What is wrong with the flags' values, or null when they are fine.</summary>
    public static string? Check(AgentSettings settings)
    {
        try
        {
            var network = Cidr.Parse(settings.ClusterCidr, "cluster CIDR");
            if (network.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || network.PrefixLength > 24)
            {
                return $"--cluster-cidr {settings.ClusterCidr}: expected an IPv4 range of /24 or larger, e.g. {DefaultClusterCidr}";
            }
        }
        catch (FormatException ex)
        {
            return "--cluster-cidr: " + ex.Message;
        }

        if (settings.BridgeName.Length is 0 or > 15 || !settings.BridgeName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            return $"--cni-bridge {settings.BridgeName}: expected 1 to 15 letters, digits, '_', '-' or '.'";
        }

        if (!Path.IsPathFullyQualified(settings.CniConfDir))
        {
            return $"--cni-conf-dir {settings.CniConfDir}: expected an absolute path";
        }

        return settings.KubeletPort is < IPEndPoint.MinPort + 1 or > IPEndPoint.MaxPort
            ? $"--kubelet-port {settings.KubeletPort}: expected 1 to {IPEndPoint.MaxPort}"
            : null;
    }
}
