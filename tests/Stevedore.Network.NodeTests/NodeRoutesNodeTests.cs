using System.Net;
using Stevedore.Network.Routes;

namespace Stevedore.Network.NodeTests;

/// <summary>Host routes to another "node": a namespace behind a veth, holding that node's pod range.</summary>
public sealed class NodeRoutesNodeTests
{
    [NodeFact]
    public async Task Sync_InstallsMovesAndRemovesRoutesToOtherNodesPodCidrs()
    {
        await using var network = await TestNetwork.CreateAsync();
        var nodeNet = await TestHost.FreeSubnetAsync();
        var podNet = await TestHost.FreeSubnetAsync();
        var node = network.CreateExtraNetns(TestHost.UniqueName("stvnode"));
        var ns = Path.GetFileName(node);
        var hostEnd = TestHost.UniqueName("stvr");
        network.OwnLink(hostEnd);
        await TestHost.RunAsync("/usr/sbin/ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "uplink", "netns", ns);
        await TestHost.RunAsync("/usr/sbin/ip", "addr", "add", $"{Cidr.AddressAt(nodeNet, 1)}/24", "dev", hostEnd);
        await TestHost.RunAsync("/usr/sbin/ip", "link", "set", hostEnd, "up");
        await TestHost.RunAsync("/usr/sbin/ip", "-n", ns, "addr", "add", $"{Cidr.AddressAt(nodeNet, 2)}/24", "dev", "uplink");
        await TestHost.RunAsync("/usr/sbin/ip", "-n", ns, "addr", "add", $"{Cidr.AddressAt(nodeNet, 3)}/24", "dev", "uplink");
        await TestHost.RunAsync("/usr/sbin/ip", "-n", ns, "link", "set", "uplink", "up");
        // The other node's pods: an address of its pod range, local to its namespace.
        await TestHost.RunAsync("/usr/sbin/ip", "-n", ns, "addr", "add", $"{Cidr.AddressAt(podNet, 1)}/24", "dev", "lo");
        await TestHost.RunAsync("/usr/sbin/ip", "-n", ns, "link", "set", "lo", "up");
        await using var listener = PodListener.Start(node, 7200, "other-node-pod");

        var routes = new NodeRoutes(Random.Shared.Next(200, 250));
        var viaFirst = new NodeRoute(podNet, Cidr.AddressAt(nodeNet, 2));
        var viaSecond = new NodeRoute(podNet, Cidr.AddressAt(nodeNet, 3));
        try
        {
            await routes.SyncAsync([viaFirst], CancellationToken.None);
            await routes.SyncAsync([viaFirst], CancellationToken.None);

            Assert.Equal([viaFirst], await routes.ListAsync(CancellationToken.None));
            Assert.Contains($"via {viaFirst.NodeIp} dev {hostEnd}", await RouteGetAsync(podNet), StringComparison.Ordinal);
            Assert.Equal("other-node-pod", await PodListener.GreetingAsync(null, Cidr.AddressAt(podNet, 1), 7200, TimeSpan.FromSeconds(20)));

            await routes.SyncAsync([viaSecond], CancellationToken.None);
            Assert.Equal([viaSecond], await routes.ListAsync(CancellationToken.None));
            Assert.Contains($"via {viaSecond.NodeIp} dev {hostEnd}", await RouteGetAsync(podNet), StringComparison.Ordinal);
            Assert.Equal("other-node-pod", await PodListener.GreetingAsync(null, Cidr.AddressAt(podNet, 1), 7200, TimeSpan.FromSeconds(20)));

            await routes.SyncAsync([], CancellationToken.None);
            Assert.Empty(await routes.ListAsync(CancellationToken.None));
            // Only looked up, never sent to: without the route it would take the default route off the machine.
            Assert.Empty(await TestHost.RunAsync("/usr/sbin/ip", "route", "show", $"{podNet.BaseAddress}/24"));

            await routes.AddAsync(viaFirst, CancellationToken.None);
            await routes.RemoveAsync(viaFirst, CancellationToken.None);
            await routes.RemoveAsync(viaFirst, CancellationToken.None);
            Assert.Empty(await routes.ListAsync(CancellationToken.None));
        }
        finally
        {
            await routes.SyncAsync([], CancellationToken.None);
        }
    }

    [NodeFact]
    public async Task Add_UnreachableNodeAddress_ThrowsTheKernelsReason()
    {
        var routes = new NodeRoutes(Random.Shared.Next(200, 250));
        var podNet = await TestHost.FreeSubnetAsync();
        // A TEST-NET-3 address sits on no link of a test machine; the kernel refuses a gateway it cannot reach directly.
        var route = new NodeRoute(podNet, IPAddress.Parse("203.0.113.254"));
        try
        {
            var error = await Assert.ThrowsAsync<NetworkCommandException>(() => routes.AddAsync(route, CancellationToken.None));

            Assert.Equal("ip", error.Program);
            Assert.Contains("gateway", error.Output, StringComparison.OrdinalIgnoreCase);
            Assert.Empty(await routes.ListAsync(CancellationToken.None));
        }
        finally
        {
            await routes.SyncAsync([], CancellationToken.None);
        }
    }

    private static Task<string> RouteGetAsync(IPNetwork podNet) =>
        TestHost.RunAsync("/usr/sbin/ip", "route", "get", Cidr.AddressAt(podNet, 1).ToString());
}
