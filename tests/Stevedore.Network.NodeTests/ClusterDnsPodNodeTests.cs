using System.Net;
using Stevedore.Network.Dns;
using Stevedore.Network.Dns.Server;
using Stevedore.Network.Dns.Wire;

namespace Stevedore.Network.NodeTests;

/// <summary>
/// The node-local serving path: the server bound on an address of a dummy link, asked from a pod's
/// network namespace by busybox's nslookup and by glibc's stub resolver (search list, ndots:5),
/// with the egress guard installed.
/// </summary>
public sealed class ClusterDnsPodNodeTests
{
    private static DnsSnapshot Records() => DnsSnapshotBuilder.Build(new DnsZoneOptions(),
    [
        new DnsService { Namespace = "default", Name = "my-svc", ClusterIPs = [IPAddress.Parse("10.43.0.20")], Ports = [new DnsPort("http", "TCP", 80)] },
        new DnsService
        {
            Namespace = "default", Name = "nginx", Kind = DnsServiceKind.Headless,
            Endpoints = [new DnsEndpoint([IPAddress.Parse("10.42.0.5")], "web-0", true, []), new DnsEndpoint([IPAddress.Parse("10.42.0.6")], "web-1", true, [])],
        },
        new DnsService { Namespace = "default", Name = "ext", Kind = DnsServiceKind.ExternalName, ExternalName = "my-svc.default.svc.cluster.local" },
    ], 1);

    [NodeFact]
    public async Task PodNamespace_QueriesTheServingAddress_BusyboxAndGlibcResolve()
    {
        await using var network = await TestNetwork.CreateAsync();
        var pod = await network.AddPodAsync();
        // Forwarded pod traffic may only go to the pod subnet: DNS on the node must not need forwarding.
        await network.Guard.ApplyAsync([network.Subnet], CancellationToken.None);
        var dnsAddress = AddressAt(await TestHost.FreeSubnetAsync(), 10);
        var link = new DnsServingLink(TestHost.UniqueName("stvd"));
        network.OwnLink(link.Name);
        await link.EnsureAsync(dnsAddress, CancellationToken.None);
        var store = new DnsRecordStore();
        store.Publish(Records());
        await using var server = DnsServer.Start(new DnsServerOptions { Listen = new IPEndPoint(dnsAddress, 53) }, store);
        var netns = Path.GetFileName(pod.Netns);
        var etc = Path.Combine("/etc/netns", netns);
        try
        {
            var server53 = dnsAddress.ToString();
            var a = await InPodAsync(netns, "busybox", "nslookup", "my-svc.default.svc.cluster.local", server53);
            var srv = await InPodAsync(netns, "busybox", "nslookup", "-type=SRV", "_http._tcp.my-svc.default.svc.cluster.local", server53);
            var ptr = await InPodAsync(netns, "busybox", "nslookup", "10.43.0.20", server53);
            var identity = await InPodAsync(netns, "busybox", "nslookup", "web-1.nginx.default.svc.cluster.local", server53);
            var alias = await InPodAsync(netns, "busybox", "nslookup", "-type=CNAME", "ext.default.svc.cluster.local", server53);

            Assert.Contains("10.43.0.20", a, StringComparison.Ordinal);
            Assert.Contains("80 my-svc.default.svc.cluster.local", srv, StringComparison.Ordinal);
            Assert.Contains("my-svc.default.svc.cluster.local", ptr, StringComparison.Ordinal);
            Assert.Contains("10.42.0.6", identity, StringComparison.Ordinal);
            Assert.Contains("canonical name = my-svc.default.svc.cluster.local", alias, StringComparison.Ordinal);

            // The resolv.conf the agent gives a pod in "default"; `ip netns exec` mounts it over /etc/resolv.conf.
            Directory.CreateDirectory(etc);
            await File.WriteAllTextAsync(Path.Combine(etc, "resolv.conf"),
                $"nameserver {dnsAddress}\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n");
            Assert.StartsWith("10.43.0.20 ", await InPodAsync(netns, "getent", "ahostsv4", "my-svc"), StringComparison.Ordinal);
            Assert.StartsWith("10.43.0.20 ", await InPodAsync(netns, "getent", "ahostsv4", "my-svc.default"), StringComparison.Ordinal);
            Assert.StartsWith("10.42.0.5 ", await InPodAsync(netns, "getent", "ahostsv4", "web-0.nginx"), StringComparison.Ordinal);
            Assert.StartsWith("10.43.0.20 ", await InPodAsync(netns, "getent", "ahostsv4", "ext"), StringComparison.Ordinal);
            var (missing, _, _) = await TestHost.TryRunAsync("/usr/sbin/ip", "netns", "exec", netns, "getent", "ahostsv4", "nope");
            Assert.Equal(2, missing);
            Assert.True(server.Statistics.Received > 5);
        }
        finally
        {
            if (Directory.Exists(etc))
            {
                Directory.Delete(etc, recursive: true);
            }

            await server.DisposeAsync();
            await link.RemoveAsync(CancellationToken.None);
        }
    }

    [NodeFact]
    public async Task ServingLink_EnsureTwiceThenAnotherAddress_OnlyTheLatestAddressRemoveDeletesTheLink()
    {
        var subnet = await TestHost.FreeSubnetAsync();
        var link = new DnsServingLink(TestHost.UniqueName("stvd"));
        try
        {
            await link.EnsureAsync(AddressAt(subnet, 10), CancellationToken.None);
            await link.EnsureAsync(AddressAt(subnet, 10), CancellationToken.None);
            Assert.Equal([AddressAt(subnet, 10)], await link.AddressesAsync(CancellationToken.None));

            await link.EnsureAsync(AddressAt(subnet, 11), CancellationToken.None);
            Assert.Equal([AddressAt(subnet, 11)], await link.AddressesAsync(CancellationToken.None));
            Assert.Contains("UP", await TestHost.RunAsync("/usr/sbin/ip", "link", "show", link.Name), StringComparison.Ordinal);

            await link.RemoveAsync(CancellationToken.None);
            Assert.False(TestHost.LinkExists(link.Name));
            await link.RemoveAsync(CancellationToken.None);
        }
        finally
        {
            if (TestHost.LinkExists(link.Name))
            {
                await TestHost.TryRunAsync("/usr/sbin/ip", "link", "delete", link.Name);
            }
        }
    }

    private static IPAddress AddressAt(IPNetwork subnet, int offset) => Cidr.AddressAt(subnet, offset);

    private static async Task<string> InPodAsync(string netns, params string[] command)
    {
        var (exitCode, stdout, stderr) = await TestHost.TryRunAsync("/usr/sbin/ip", ["netns", "exec", netns, .. command]);
        Assert.True(exitCode == 0, $"{string.Join(' ', command)} exited {exitCode}: {stdout} {stderr}");
        return stdout;
    }
}
