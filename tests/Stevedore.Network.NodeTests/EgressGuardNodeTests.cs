using System.Net;
using Stevedore.Network.Netns;

namespace Stevedore.Network.NodeTests;

/// <summary>
/// The egress guard against real forwarding: an "outside" namespace reached from the host through a
/// veth stands in for the world beyond the node (its address is ours, so nothing ever leaves the machine).
/// </summary>
public sealed class EgressGuardNodeTests
{
    private static readonly TimeSpan Reachable = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Unreachable = TimeSpan.FromSeconds(3);

    [NodeFact]
    public async Task Guard_DropsForwardsToDisallowedDestinations_KeepsPodToPodAndAllowedOnes()
    {
        await using var network = await TestNetwork.CreateAsync();
        var pod = await network.AddPodAsync();
        var peer = await network.AddPodAsync();
        var outsideNet = await TestHost.FreeSubnetAsync();
        var outside = await WireOutsideAsync(network, outsideNet);
        var outsideIp = Cidr.AddressAt(outsideNet, 2);

        await using var outsideListener = PodListener.Start(outside, 7100, "outside");
        await using var peerListener = PodListener.Start(peer.Netns, 7100, "peer");

        // Without the guard the node forwards the pod's packets to the outside (the reason the guard exists).
        Assert.Equal("outside", await PodListener.GreetingAsync(pod.Netns, outsideIp, 7100, Reachable));

        await network.Guard.ApplyAsync([network.Subnet], CancellationToken.None);
        Assert.True(await network.Guard.IsInstalledAsync(CancellationToken.None));
        Assert.Null(await PodListener.GreetingAsync(pod.Netns, outsideIp, 7100, Unreachable));
        Assert.Equal("peer", await PodListener.GreetingAsync(pod.Netns, peer.Ip, 7100, Reachable));
        // A connection started outside (a hostPort or NodePort client elsewhere) still gets the pod's replies.
        await using (PodListener.Start(pod.Netns, 7101, "pod"))
        {
            Assert.Equal("pod", await PodListener.GreetingAsync(outside, pod.Ip, 7101, Reachable));
        }


        // Allowed destinations (other nodes' pods, node addresses) are forwarded; replacing the guard is atomic.
        await network.Guard.ApplyAsync([network.Subnet, outsideNet], CancellationToken.None);
        Assert.Equal("outside", await PodListener.GreetingAsync(pod.Netns, outsideIp, 7100, Reachable));

        await network.Guard.ApplyAsync([network.Subnet], CancellationToken.None);
        Assert.Null(await PodListener.GreetingAsync(pod.Netns, outsideIp, 7100, Unreachable));

        await network.Guard.RemoveAsync(CancellationToken.None);
        Assert.False(await network.Guard.IsInstalledAsync(CancellationToken.None));
        await network.Guard.RemoveAsync(CancellationToken.None);
    }

    /// <summary>A namespace at <c>.2</c> of <paramref name="subnet"/> behind a veth whose host end is <c>.1</c>, routing back to the pods.</summary>
    private static async Task<string> WireOutsideAsync(TestNetwork network, IPNetwork subnet)
    {
        var outside = network.CreateExtraNetns(TestHost.UniqueName("stvout"));
        var hostEnd = TestHost.UniqueName("stvo");
        network.OwnLink(hostEnd);
        var inner = TestHost.UniqueName("stvi");
        await TestHost.RunAsync("/usr/sbin/ip", "link", "add", hostEnd, "type", "veth", "peer", "name", inner, "netns", Path.GetFileName(outside));
        await TestHost.RunAsync("/usr/sbin/ip", "addr", "add", $"{Cidr.AddressAt(subnet, 1)}/{subnet.PrefixLength}", "dev", hostEnd);
        await TestHost.RunAsync("/usr/sbin/ip", "link", "set", hostEnd, "up");
        var ns = Path.GetFileName(outside);
        await TestHost.RunAsync("/usr/sbin/ip", "-n", ns, "addr", "add", $"{Cidr.AddressAt(subnet, 2)}/{subnet.PrefixLength}", "dev", inner);
        await TestHost.RunAsync("/usr/sbin/ip", "-n", ns, "link", "set", inner, "up");
        await TestHost.RunAsync("/usr/sbin/ip", "-n", ns, "link", "set", "lo", "up");
        await TestHost.RunAsync("/usr/sbin/ip", "-n", ns, "route", "add", $"{network.Subnet.BaseAddress}/{network.Subnet.PrefixLength}", "via", Cidr.AddressAt(subnet, 1).ToString());
        return outside;
    }
}
