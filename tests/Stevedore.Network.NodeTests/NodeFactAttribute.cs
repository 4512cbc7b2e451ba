namespace Stevedore.Network.NodeTests;

/// <summary>A fact that needs root, the CNI plugins, iproute2 and nftables; skipped with the reason otherwise.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (Environment.UserName != "root")
        {
            Skip = "network node tests need root (netns, bridges, nftables)";
        }
        else if (!File.Exists("/usr/lib/cni/bridge"))
        {
            Skip = "network node tests need the CNI plugins in /usr/lib/cni (apt-get install containernetworking-plugins)";
        }
        else if (!File.Exists("/usr/sbin/nft") || !File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip"))
        {
            Skip = "network node tests need nft and ip (apt-get install nftables iproute2)";
        }
    }
}
