using System.Net;
using System.Text.Json.Nodes;
using Stevedore.Network.Cni;
using Stevedore.Network.Netns;

namespace Stevedore.Network.NodeTests;

/// <summary>The CNI invoker driving Debian's real plugins (bridge, host-local, loopback, portmap) into namespaces made here.</summary>
public sealed class CniNodeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [NodeFact]
    public async Task Add_TwoPodsOnOneBridge_ReachEachOtherByIp_DelCleansUp()
    {
        await using var network = await TestNetwork.CreateAsync();
        var a = await network.AddPodAsync();
        var b = await network.AddPodAsync();

        foreach (var pod in new[] { a, b })
        {
            Assert.True(network.Subnet.Contains(pod.Ip), $"{pod.Ip} is outside {network.Subnet}");
            Assert.Equal(Cidr.Gateway(network.Subnet), pod.Result.Ips[0].Gateway);
            Assert.Contains(pod.Result.Interfaces, i => i.Name == "eth0" && i.Sandbox == pod.Netns);
            Assert.True(TestHost.LinkExists(pod.HostVeth));
            Assert.True(File.Exists(Path.Combine(network.AllocationDir, pod.Ip.ToString())), "host-local records the allocation");
        }

        Assert.NotEqual(a.Ip, b.Ip);
        Assert.True(TestHost.LinkExists(network.Bridge));
        // The loopback plugin brought lo up inside the namespace.
        Assert.Contains("state UNKNOWN", await TestHost.RunAsync("/usr/sbin/ip", "netns", "exec", Path.GetFileName(a.Netns), "ip", "link", "show", "lo"), StringComparison.Ordinal);
        await network.Invoker.CheckAsync(network.Network, a.Runtime, a.Result, CancellationToken.None);

        await using (PodListener.Start(b.Netns, 7001, "pod-b"))
        await using (PodListener.Start(a.Netns, 7001, "pod-a"))
        {
            Assert.Equal("pod-b", await PodListener.GreetingAsync(a.Netns, b.Ip, 7001, Timeout));
            Assert.Equal("pod-a", await PodListener.GreetingAsync(b.Netns, a.Ip, 7001, Timeout));
            // The node reaches its pods through the bridge's gateway address.
            Assert.Equal("pod-a", await PodListener.GreetingAsync(null, a.Ip, 7001, Timeout));
        }

        await network.RemovePodAsync(a);

        Assert.False(TestHost.LinkExists(a.HostVeth));
        Assert.False(File.Exists(Path.Combine(network.AllocationDir, a.Ip.ToString())), "DEL releases the address");
        Assert.False(File.Exists(a.Netns));
        Assert.DoesNotContain(Path.GetFileName(a.Netns), await TestHost.RunAsync("/usr/sbin/ip", "netns", "list"), StringComparison.Ordinal);
        Assert.True(TestHost.LinkExists(b.HostVeth), "the other pod keeps its network");
    }

    [NodeFact]
    public async Task Add_PortMapping_HostPortOnLoopbackReachesThePod_DelRemovesItsRules()
    {
        await using var network = await TestNetwork.CreateAsync();
        var hostPort = TestHost.FreePort();
        var pod = await network.AddPodAsync([new CniPortMapping(hostPort, 8080)]);
        await using (PodListener.Start(pod.Netns, 8080, "mapped-pod"))
        {
            var nat = await TestHost.RunAsync("/usr/sbin/iptables", "-t", "nat", "-S");
            Assert.Contains($"--to-destination {pod.Ip}:8080", nat, StringComparison.Ordinal);

            Assert.Equal("mapped-pod", await PodListener.GreetingAsync(null, IPAddress.Loopback, hostPort, Timeout));
        }

        await network.RemovePodAsync(pod);

        var after = await TestHost.RunAsync("/usr/sbin/iptables", "-t", "nat", "-S");
        Assert.DoesNotContain(pod.ContainerId, after, StringComparison.Ordinal);
        Assert.DoesNotContain(pod.Ip + ":8080", after, StringComparison.Ordinal);
        Assert.DoesNotContain($"--dport {hostPort} ", after, StringComparison.Ordinal);
    }

    [NodeFact]
    public async Task Add_ManyPodsAtOnce_DistinctAddressesAndHostPorts_AllCleanedUp()
    {
        await using var network = await TestNetwork.CreateAsync();
        var ports = Enumerable.Range(0, 12).Select(_ => TestHost.FreePort()).Distinct().ToList();

        // Concurrent ADDs race on the bridge, host-local's store and iptables; every one must succeed.
        var pods = await Task.WhenAll(ports.Select((port, i) => network.AddPodAsync(i % 2 == 0 ? [new CniPortMapping(port, 80)] : null)));

        Assert.Equal(pods.Length, pods.Select(p => p.Ip).Distinct().Count());
        Assert.All(pods, p => Assert.True(network.Subnet.Contains(p.Ip)));
        var nat = await TestHost.RunAsync("/usr/sbin/iptables", "-t", "nat", "-S");
        Assert.All(pods.Where((_, i) => i % 2 == 0), p => Assert.Contains($"--to-destination {p.Ip}:80", nat, StringComparison.Ordinal));

        await Task.WhenAll(pods.Select(network.RemovePodAsync));

        Assert.Empty(Directory.GetFiles(network.AllocationDir, "10.*"));
        Assert.Empty(await TestHost.RunAsync("/usr/sbin/ip", "-o", "link", "show", "master", network.Bridge));
        var after = await TestHost.RunAsync("/usr/sbin/iptables", "-t", "nat", "-S");
        Assert.All(pods, p => Assert.DoesNotContain(p.ContainerId, after, StringComparison.Ordinal));
    }

    [NodeFact]
    public async Task Delete_NamespaceAlreadyGoneAndRepeated_ReleasesTheAddressWithoutError()
    {
        await using var network = await TestNetwork.CreateAsync();
        var pod = await network.AddPodAsync([new CniPortMapping(TestHost.FreePort(), 80)]);
        NetworkNamespace.Remove(pod.Netns);

        await network.Invoker.DeleteAsync(network.Network, pod.Runtime, pod.Result, CancellationToken.None);
        await network.Invoker.DeleteAsync(network.Network, pod.Runtime, pod.Result, CancellationToken.None);
        await network.Invoker.DeleteAsync(CniNetworkConfigList.Loopback, pod.Runtime with { IfName = "lo" }, null, CancellationToken.None);

        Assert.False(File.Exists(Path.Combine(network.AllocationDir, pod.Ip.ToString())));
        Assert.False(TestHost.LinkExists(pod.HostVeth), "the veth died with its namespace");
        Assert.DoesNotContain(pod.ContainerId, await TestHost.RunAsync("/usr/sbin/iptables", "-t", "nat", "-S"), StringComparison.Ordinal);
    }

    [NodeFact]
    public async Task Check_InterfaceRemovedInsideThePod_FailsWithThePluginsMessage()
    {
        await using var network = await TestNetwork.CreateAsync();
        var pod = await network.AddPodAsync();
        await network.Invoker.CheckAsync(network.Network, pod.Runtime, pod.Result, CancellationToken.None);

        await TestHost.RunAsync("/usr/sbin/ip", "netns", "exec", Path.GetFileName(pod.Netns), "ip", "link", "delete", "eth0");

        var error = await Assert.ThrowsAsync<CniException>(() => network.Invoker.CheckAsync(network.Network, pod.Runtime, pod.Result, CancellationToken.None));
        Assert.Equal("CHECK", error.Command);
        Assert.Equal("bridge", error.Plugin);
        Assert.NotEmpty(error.PluginMessage);
    }

    [NodeFact]
    public async Task Add_InvalidRangeInTheConfig_ThrowsThePluginsError()
    {
        await using var network = await TestNetwork.CreateAsync();
        var bad = (JsonObject)JsonNode.Parse(ConflistBuilder.Render(network.Options))!;
        bad["plugins"]![0]!["ipam"]!["ranges"]![0]![0]!["subnet"] = "10.0.0.0/33";
        var list = CniNetworkConfigList.Parse(bad.ToJsonString(), "bad range");
        var netns = network.CreateExtraNetns(TestHost.UniqueName("stvbad"));
        var runtime = new CniRuntimeConf { ContainerId = "bad" + Guid.NewGuid().ToString("N")[..8], NetnsPath = netns };

        var error = await Assert.ThrowsAsync<CniException>(() => network.Invoker.AddAsync(list, runtime, CancellationToken.None));

        Assert.Equal("bridge", error.Plugin);
        Assert.Equal("ADD", error.Command);
        Assert.Contains("invalid CIDR address: 10.0.0.0/33", error.Message, StringComparison.Ordinal);
    }

    [NodeFact]
    public async Task Add_LaterPluginFails_DelStillRunsEveryPluginAndUndoesTheEarlierOnes()
    {
        await using var network = await TestNetwork.CreateAsync();
        var netns = network.CreateExtraNetns(TestHost.UniqueName("stvhalf"));
        // portmap refuses a host port of 0 (on ADD and on DEL) after bridge has attached the pod.
        var runtime = new CniRuntimeConf
        {
            ContainerId = "half" + Guid.NewGuid().ToString("N")[..8],
            NetnsPath = netns,
            CapabilityArgs = new Dictionary<string, JsonNode> { [CniPortMapping.Capability] = CniPortMapping.ToCapability([new CniPortMapping(0, 80)]) },
        };

        var add = await Assert.ThrowsAsync<CniException>(() => network.Invoker.AddAsync(network.Network, runtime, CancellationToken.None));
        Assert.Equal("portmap", add.Plugin);
        Assert.Contains("Invalid host port number: 0", add.Message, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(network.AllocationDir, "10.*"));
        Assert.Contains("eth0", await TestHost.RunAsync("/usr/sbin/ip", "-n", Path.GetFileName(netns), "-o", "link"), StringComparison.Ordinal);

        var del = await Assert.ThrowsAsync<CniException>(() => network.Invoker.DeleteAsync(network.Network, runtime, null, CancellationToken.None));

        Assert.Equal("portmap", del.Plugin);
        Assert.Empty(Directory.GetFiles(network.AllocationDir, "10.*"));
        Assert.DoesNotContain("eth0", await TestHost.RunAsync("/usr/sbin/ip", "-n", Path.GetFileName(netns), "-o", "link"), StringComparison.Ordinal);
        Assert.Empty(await TestHost.RunAsync("/usr/sbin/ip", "-o", "link", "show", "master", network.Bridge));
    }

    [NodeFact]
    public async Task Add_UnknownPluginType_SaysWhereItLooked()
    {
        var list = CniNetworkConfigList.Parse("""{"cniVersion":"1.0.0","name":"missing","plugins":[{"type":"no-such-plugin"}]}""", "test");
        var invoker = new CniInvoker(["/usr/lib/cni"]);

        var error = await Assert.ThrowsAsync<CniException>(() => invoker.AddAsync(list, new CniRuntimeConf { ContainerId = "x1", NetnsPath = "/proc/self/ns/net" }, CancellationToken.None));

        Assert.Equal("no-such-plugin", error.Plugin);
        Assert.Contains("failed to find plugin \"no-such-plugin\" in path [/usr/lib/cni]", error.Message, StringComparison.Ordinal);
    }

    [NodeFact]
    public async Task ConflistBuilder_Write_AtomicAndIdempotent_LoadDefaultPicksTheFirstFile()
    {
        var dir = Directory.CreateTempSubdirectory("stevedore-conflist-").FullName;
        try
        {
            var options = new ConflistOptions { PodCidrs = ["10.42.0.0/24"], IpamDataDir = Path.Combine(dir, "ipam") };
            await File.WriteAllTextAsync(Path.Combine(dir, "87-podman-bridge.conflist"), """{"cniVersion":"0.4.0","name":"podman","plugins":[{"type":"bridge"}]}""");

            Assert.True(ConflistBuilder.Write(dir, options));
            Assert.False(ConflistBuilder.Write(dir, options));
            Assert.Equal(["10-stevedore.conflist", "87-podman-bridge.conflist"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal("stevedore", CniNetworkConfigList.LoadDefault(dir)!.Name);
            Assert.True(Directory.Exists(options.IpamDataDir));

            options.PodCidrs = ["10.42.9.0/24"];
            Assert.True(ConflistBuilder.Write(dir, options));
            Assert.Contains("10.42.9.0/24", await File.ReadAllTextAsync(Path.Combine(dir, "10-stevedore.conflist")), StringComparison.Ordinal);

            Assert.True(ConflistBuilder.Remove(dir));
            Assert.Equal("podman", CniNetworkConfigList.LoadDefault(dir)!.Name);
            Assert.Null(CniNetworkConfigList.LoadDefault(Path.Combine(dir, "missing")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
