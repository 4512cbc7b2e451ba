using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Stevedore.Network;
using Stevedore.Network.Cni;
using Stevedore.Network.Egress;
using Stevedore.Runtime.Cri;

namespace Stevedore.Cri.NodeTests;

/// <summary>
/// A pod network for a Stevedore CRI server under test, set up as the node agent would: a conflist
/// (unique bridge, a /24 no route on this machine overlaps, host-local state in the test directory)
/// and the egress guard, so sandboxes reach each other and the node but nothing beyond the machine.
/// Disposal deletes the bridge, the guard and, if this network created them, portmap's shared chains.
/// </summary>
public sealed class CriTestNetwork : IAsyncDisposable
{
    private bool _portmapChainsExisted;

    private CriTestNetwork(string dir, IPNetwork subnet)
    {
        Subnet = subnet;
        Bridge = "stvc" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..11];
        ConfDir = Path.Combine(dir, "net.d");
        Conflist = new ConflistOptions
        {
            NetworkName = "cri-" + Bridge,
            BridgeName = Bridge,
            PodCidrs = [$"{subnet.BaseAddress}/{subnet.PrefixLength}"],
            IpamDataDir = Path.Combine(dir, "ipam"),
        };
        Guard = new EgressGuard(Bridge);
    }

    public IPNetwork Subnet { get; }
    public string Bridge { get; }
    public string ConfDir { get; }
    public ConflistOptions Conflist { get; }
    public EgressGuard Guard { get; }

    /// <summary>The options a CRI server uses to attach sandboxes to this network.</summary>
    public CriNetworkOptions ServerOptions => new() { ConfDir = ConfDir };

    /// <summary>Where host-local records this network's allocations.</summary>
    public string AllocationDir => Path.Combine(Conflist.IpamDataDir, Conflist.NetworkName);

    public static async Task<CriTestNetwork> CreateAsync(string dir)
    {
        var network = new CriTestNetwork(dir, await FreeSubnetAsync());
        network._portmapChainsExisted = await PortmapChains.ExistAsync(CancellationToken.None);
        await network.Guard.ApplyAsync([network.Subnet], CancellationToken.None);
        ConflistBuilder.Write(network.ConfDir, network.Conflist);
        return network;
    }

    public async ValueTask DisposeAsync()
    {
        if (Directory.Exists("/sys/class/net/" + Bridge))
        {
            using var ip = Process.Start(new ProcessStartInfo("/usr/sbin/ip", ["link", "delete", Bridge]) { RedirectStandardError = true })!;
            await ip.WaitForExitAsync();
        }

        await Guard.RemoveAsync(CancellationToken.None);
        if (!_portmapChainsExisted)
        {
            await PortmapChains.RemoveIfUnusedAsync(CancellationToken.None);
        }
    }

    /// <summary>A /24 in 10.200.0.0-10.229.255.0 that no route on this machine overlaps.</summary>
    public static async Task<IPNetwork> FreeSubnetAsync()
    {
        using var ip = Process.Start(new ProcessStartInfo("/usr/sbin/ip", ["-4", "-j", "route", "show", "table", "all"]) { RedirectStandardOutput = true })!;
        var output = await ip.StandardOutput.ReadToEndAsync();
        await ip.WaitForExitAsync();
        var used = (JsonNode.Parse(output)?.AsArray() ?? [])
            .Select(r => r?["dst"]?.GetValue<string>())
            .Where(d => d is not null && d != "default")
            .Select(d => IPNetwork.Parse(d!.Contains('/', StringComparison.Ordinal) ? d : d + "/32"))
            .ToList();
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var candidate = new IPNetwork(IPAddress.Parse($"10.{Random.Shared.Next(200, 230)}.{Random.Shared.Next(0, 256)}.0"), 24);
            if (!used.Any(u => u.PrefixLength > 0 && Cidr.Overlaps(u, candidate)))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("no free /24 in 10.200.0.0-10.229.255.0");
    }
}
