using System.Net;

namespace Stevedore.Network.Routes;

/// <summary>Another node's pod CIDR and the node address its pods are reached through.</summary>
public sealed record NodeRoute(IPNetwork PodCidr, IPAddress NodeIp)
{
    /// <summary>Parses <paramref name="podCidr"/> and <paramref name="nodeIp"/>, checking they are of one address family.</summary>
    public static NodeRoute Parse(string podCidr, string nodeIp)
    {
        var cidr = Cidr.Parse(podCidr, "pod CIDR");
        if (!IPAddress.TryParse(nodeIp, out var address))
        {
            throw new FormatException($"invalid node address \"{nodeIp}\"");
        }

        if (address.AddressFamily != cidr.BaseAddress.AddressFamily)
        {
            throw new FormatException($"pod CIDR {podCidr} and node address {nodeIp} are of different address families");
        }

        return new NodeRoute(cidr, address);
    }

    public override string ToString() => $"{PodCidr} via {NodeIp}";
}
