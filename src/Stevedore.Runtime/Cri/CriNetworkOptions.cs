using Stevedore.Network.Cni;
using Stevedore.Network.Netns;

namespace Stevedore.Runtime.Cri;

/// <summary>How the CRI server networks pod sandboxes.</summary>
public sealed class CriNetworkOptions
{
    /// <summary>
    /// The conf dir <c>stevedore engine cri</c> reads: the one the Stevedore agent writes its conflist
    /// to (not <c>/etc/cni/net.d</c>, where other tools such as podman keep networks of their own).
    /// </summary>
    public const string DefaultConfDir = Stevedore.Network.PodNetworkOptions.DefaultConfDir;

    /// <summary>
    /// Where the network configuration is read from before every sandbox (the first .conflist/.conf/.json
    /// file by name). Null disables CNI: sandboxes get a namespace with loopback only, as before CNI.
    /// </summary>
    public string? ConfDir { get; set; }

    /// <summary>Where plugin binaries are looked up (CNI_PATH).</summary>
    public IReadOnlyList<string> PluginDirs { get; set; } = CniInvoker.DefaultPluginDirs;

    /// <summary>Where sandbox network namespaces are pinned (<c>cni-&lt;uuid&gt;</c>).</summary>
    public string NetnsDir { get; set; } = NetworkNamespace.DefaultDir;

    /// <summary>
    /// Where sandboxes without a pause container pin their IPC and UTS namespaces
    /// (<c>ipc-&lt;uuid&gt;</c>, <c>uts-&lt;uuid&gt;</c>, the uuid of their <c>cni-&lt;uuid&gt;</c> network namespace).
    /// </summary>
    public string PodNamespaceDir { get; set; } = DefaultPodNamespaceDir;

    /// <summary>The default <see cref="PodNamespaceDir"/>: under /run, so a reboot clears it with the namespaces.</summary>
    public const string DefaultPodNamespaceDir = "/run/stevedore/podns";

    /// <summary>The sandbox interface the pod network is attached as.</summary>
    public string IfName { get; set; } = "eth0";

    /// <summary>CNI on, reading <see cref="DefaultConfDir"/> and Debian's plugin directory.</summary>
    public static CriNetworkOptions Default => new() { ConfDir = DefaultConfDir };

    /// <summary>CNI off: loopback-only sandboxes.</summary>
    public static CriNetworkOptions Disabled => new();
}
