using System.Net;
using Stevedore.Network.Proxy;

namespace Stevedore.Network.NodeTests;

/// <summary>
/// The service proxy's rules against real traffic: namespaces on a test bridge are the pods, echo
/// servers inside them say which endpoint answered and which client address it saw. Only addresses
/// inside namespaces these tests create are ever reached; service addresses the rules do not translate
/// are routed onto the test bridge and dropped by the proxy's own service-range rule.
/// </summary>
public sealed class ServiceProxyNodeTests
{
    private static readonly TimeSpan Reachable = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Unreachable = TimeSpan.FromSeconds(3);

    private static ProxyEndpoint Endpoint(TestPod pod, int port, string node = ProxyTestBed.NodeName) => new(pod.Ip, port, NodeName: node);

    [NodeFact]
    public async Task ClusterIp_FromAPodAndFromTheNode_ReachesBothEndpointsOverTcpAndUdp()
    {
        await using var bed = await ProxyTestBed.CreateAsync();
        var client = await bed.AddPodAsync();
        var a = await bed.AddPodAsync();
        var b = await bed.AddPodAsync();
        await using var serverA = EchoServer.Start(a.Netns, 8080, "a");
        await using var serverB = EchoServer.Start(b.Netns, 9090, "b");
        var vip = bed.ServiceIp(10);
        await bed.ApplyAsync(
            ProxyTestBed.Service("web", vip, 80, Endpoint(a, 8080), Endpoint(b, 9090)),
            ProxyTestBed.Service("dns", vip, 53, Endpoint(a, 8080), Endpoint(b, 9090)) with { Protocol = ProxyProtocol.Udp });

        var reached = new HashSet<string>();
        for (var i = 0; i < 40 && reached.Count < 2; i++)
        {
            var (outcome, name, seenFrom) = await EchoServer.TcpAsync(client.Netns, vip, 80, Reachable);
            Assert.Equal(Outcome.Answered, outcome);
            // Pod to pod through a cluster IP keeps the client's address.
            Assert.Equal(client.Ip.ToString(), seenFrom);
            reached.Add(name!);
        }

        Assert.Equal(["a", "b"], reached.Order());
        // From the node itself (the output path): masqueraded, the source is outside the pod network.
        var fromNode = await EchoServer.TcpAsync(null, vip, 80, Reachable);
        Assert.Equal(Outcome.Answered, fromNode.Outcome);
        Assert.Equal(bed.Gateway.ToString(), fromNode.SeenFrom);
        var udp = await EchoServer.UdpAsync(client.Netns, vip, 53, Reachable);
        Assert.Equal(Outcome.Answered, udp.Outcome);
        Assert.Contains(udp.Name, new[] { "a", "b" });
    }

    [NodeFact]
    public async Task SessionAffinity_OneClientStaysOnOneEndpoint()
    {
        await using var bed = await ProxyTestBed.CreateAsync();
        var client = await bed.AddPodAsync();
        var a = await bed.AddPodAsync();
        var b = await bed.AddPodAsync();
        await using var serverA = EchoServer.Start(a.Netns, 8080, "a");
        await using var serverB = EchoServer.Start(b.Netns, 8080, "b");
        var vip = bed.ServiceIp(10);
        var service = ProxyTestBed.Service("sticky", vip, 80, Endpoint(a, 8080), Endpoint(b, 8080)) with { SessionAffinityTimeout = TimeSpan.FromMinutes(5) };
        await bed.ApplyAsync(service);

        var reached = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            var (outcome, name, _) = await EchoServer.TcpAsync(client.Netns, vip, 80, Reachable);
            Assert.Equal(Outcome.Answered, outcome);
            reached.Add(name!);
        }

        Assert.Single(reached);
        // An update that keeps the endpoints (another service added) keeps the affinity records.
        var extra = await bed.AddPodAsync();
        await bed.ApplyAsync(service, ProxyTestBed.Service("other", bed.ServiceIp(11), 80, Endpoint(extra, 8080)));
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(reached.Single(), (await EchoServer.TcpAsync(client.Netns, vip, 80, Reachable)).Name);
        }
    }

    [NodeFact]
    public async Task Hairpin_PodReachesItselfThroughItsOwnService_Masqueraded()
    {
        await using var bed = await ProxyTestBed.CreateAsync();
        var pod = await bed.AddPodAsync();
        await using var server = EchoServer.Start(pod.Netns, 8080, "self");
        var vip = bed.ServiceIp(10);
        await bed.ApplyAsync(ProxyTestBed.Service("self", vip, 80, Endpoint(pod, 8080)));

        var (outcome, name, seenFrom) = await EchoServer.TcpAsync(pod.Netns, vip, 80, Reachable);

        Assert.Equal(Outcome.Answered, outcome);
        Assert.Equal("self", name);
        // The pod would drop a packet from its own address arriving from outside: it sees the gateway instead.
        Assert.Equal(bed.Gateway.ToString(), seenFrom);
    }

    [NodeFact]
    public async Task NoEndpoints_ConnectionsRefusedAtOnce_UnknownPortRefused_UnallocatedAddressDropped()
    {
        await using var bed = await ProxyTestBed.CreateAsync();
        var client = await bed.AddPodAsync();
        var a = await bed.AddPodAsync();
        await using var server = EchoServer.Start(a.Netns, 8080, "a");
        var empty = bed.ServiceIp(10);
        var web = bed.ServiceIp(11);
        var nodePort = ProxyTestBed.RandomNodePort();
        await bed.ApplyAsync(
            ProxyTestBed.Service("empty", empty, 80) with { NodePort = nodePort },
            ProxyTestBed.Service("empty-udp", empty, 53) with { Protocol = ProxyProtocol.Udp },
            ProxyTestBed.Service("web", web, 80, Endpoint(a, 8080)));

        Assert.Equal(Outcome.Refused, (await EchoServer.TcpAsync(client.Netns, empty, 80, Reachable)).Outcome);
        Assert.Equal(Outcome.Refused, (await EchoServer.UdpAsync(client.Netns, empty, 53, Reachable)).Outcome);
        Assert.Equal(Outcome.Refused, (await EchoServer.TcpAsync(bed.Outside, bed.NodeAddress, nodePort, Reachable)).Outcome);
        // A port the cluster IP does not have: refused; an address no Service has: dropped.
        Assert.Equal(Outcome.Refused, (await EchoServer.TcpAsync(client.Netns, web, 81, Reachable)).Outcome);
        Assert.Equal(Outcome.TimedOut, (await EchoServer.TcpAsync(client.Netns, bed.ServiceIp(12), 80, Unreachable)).Outcome);
        Assert.Equal(Outcome.Answered, (await EchoServer.TcpAsync(client.Netns, web, 80, Reachable)).Outcome);

        // Endpoints appear: the same address now answers.
        await bed.ApplyAsync(ProxyTestBed.Service("empty", empty, 80, Endpoint(a, 8080)) with { NodePort = nodePort }, ProxyTestBed.Service("web", web, 80, Endpoint(a, 8080)));
        Assert.Equal("a", (await EchoServer.TcpAsync(client.Netns, empty, 80, Reachable)).Name);
        Assert.Equal("a", (await EchoServer.TcpAsync(bed.Outside, bed.NodeAddress, nodePort, Reachable)).Name);
    }

    [NodeFact]
    public async Task NodePortAndLoadBalancerIp_OnANodeAddress_FromOutsideAndFromTheNode_Masqueraded()
    {
        await using var bed = await ProxyTestBed.CreateAsync();
        var a = await bed.AddPodAsync();
        await using var server = EchoServer.Start(a.Netns, 8080, "a");
        var nodePort = ProxyTestBed.RandomNodePort();
        var lbPort = Random.Shared.Next(20000, 29000);
        await bed.ApplyAsync(ProxyTestBed.Service("web", bed.ServiceIp(10), lbPort, Endpoint(a, 8080)) with { NodePort = nodePort, ExternalAddresses = [bed.NodeAddress] });

        var outside = await EchoServer.TcpAsync(bed.Outside, bed.NodeAddress, nodePort, Reachable);
        Assert.Equal(Outcome.Answered, outside.Outcome);
        Assert.Equal("a", outside.Name);
        // Cluster policy: masqueraded, so the reply comes back through this node whichever node the endpoint is on.
        Assert.Equal(bed.Gateway.ToString(), outside.SeenFrom);

        var fromNode = await EchoServer.TcpAsync(null, bed.NodeAddress, nodePort, Reachable);
        Assert.Equal(Outcome.Answered, fromNode.Outcome);
        Assert.Equal("a", fromNode.Name);

        var loadBalancer = await EchoServer.TcpAsync(bed.Outside, bed.NodeAddress, lbPort, Reachable);
        Assert.Equal("a", loadBalancer.Name);
    }

    [NodeFact]
    public async Task LocalTrafficPolicies_OnlyThisNodesEndpoints_ExternalClientAddressKept()
    {
        await using var bed = await ProxyTestBed.CreateAsync();
        var client = await bed.AddPodAsync();
        var here = await bed.AddPodAsync();
        var elsewhere = await bed.AddPodAsync();
        await using var serverHere = EchoServer.Start(here.Netns, 8080, "here");
        await using var serverElsewhere = EchoServer.Start(elsewhere.Netns, 8080, "elsewhere");
        var nodePort = ProxyTestBed.RandomNodePort();
        var externalLocal = bed.ServiceIp(10);
        var internalLocal = bed.ServiceIp(11);
        await bed.ApplyAsync(
            ProxyTestBed.Service("ext-local", externalLocal, 80, Endpoint(here, 8080), Endpoint(elsewhere, 8080, "node-b")) with { NodePort = nodePort, ExternalTrafficLocal = true },
            ProxyTestBed.Service("int-local", internalLocal, 80, Endpoint(here, 8080), Endpoint(elsewhere, 8080, "node-b")) with { InternalTrafficLocal = true });

        var external = new HashSet<string>();
        var clusterIp = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            var fromOutside = await EchoServer.TcpAsync(bed.Outside, bed.NodeAddress, nodePort, Reachable);
            Assert.Equal(bed.OutsideAddress.ToString(), fromOutside.SeenFrom);
            external.Add(fromOutside.Name!);
            clusterIp.Add((await EchoServer.TcpAsync(client.Netns, internalLocal, 80, Reachable)).Name!);
        }

        Assert.Equal(["here"], external);
        Assert.Equal(["here"], clusterIp);

        // The external-local Service's cluster IP still spreads over every endpoint.
        var all = new HashSet<string>();
        for (var i = 0; i < 40 && all.Count < 2; i++)
        {
            all.Add((await EchoServer.TcpAsync(client.Netns, externalLocal, 80, Reachable)).Name!);
        }

        Assert.Equal(["elsewhere", "here"], all.Order());
    }

    [NodeFact]
    public async Task DeletingAService_RemovesItsChainsAndItsAddressStopsAnswering_OthersUntouched()
    {
        await using var bed = await ProxyTestBed.CreateAsync();
        var client = await bed.AddPodAsync();
        var a = await bed.AddPodAsync();
        await using var server = EchoServer.Start(a.Netns, 8080, "a");
        var keep = ProxyTestBed.Service("keep", bed.ServiceIp(10), 80, Endpoint(a, 8080));
        var gone = ProxyTestBed.Service("gone", bed.ServiceIp(11), 80, Endpoint(a, 8080)) with { SessionAffinityTimeout = TimeSpan.FromSeconds(60) };
        await bed.ApplyAsync(keep, gone);
        Assert.Equal("a", (await EchoServer.TcpAsync(client.Netns, gone.ClusterIP, 80, Reachable)).Name);
        Assert.Contains("test/gone/tcp/p80", await bed.ListTableAsync(), StringComparison.Ordinal);

        var report = await bed.ApplyAsync(keep);

        Assert.False(report.Applied!.Full);
        var table = await bed.ListTableAsync();
        Assert.DoesNotContain("test/gone", table, StringComparison.Ordinal);
        Assert.DoesNotContain(gone.ClusterIP.ToString(), table, StringComparison.Ordinal);
        Assert.Equal(Outcome.TimedOut, (await EchoServer.TcpAsync(client.Netns, gone.ClusterIP, 80, Unreachable)).Outcome);
        Assert.Equal("a", (await EchoServer.TcpAsync(client.Netns, keep.ClusterIP, 80, Reachable)).Name);
    }

    [NodeFact]
    public async Task RunLoop_AppliesTheLatestOfABurst_RecoversFromATableEditedBehindItsBack_CleanupRemovesTheTable()
    {
        await using var bed = await ProxyTestBed.CreateAsync();
        var client = await bed.AddPodAsync();
        var a = await bed.AddPodAsync();
        await using var server = EchoServer.Start(a.Netns, 8080, "a");
        var reports = new List<ProxySyncReport>();
        var proxy = new ServiceProxy(bed.Options, r => { lock (reports) { reports.Add(r); } });
        using var stop = new CancellationTokenSource();
        var loop = proxy.RunAsync(stop.Token);
        try
        {
            for (var port = 1; port <= 50; port++)
            {
                proxy.Update([ProxyTestBed.Service("burst", bed.ServiceIp(10), port, Endpoint(a, 8080))]);
            }

            await proxy.WaitForSyncAsync(new CancellationTokenSource(Reachable).Token);
            Assert.Equal("a", (await EchoServer.TcpAsync(client.Netns, bed.ServiceIp(10), 50, Reachable)).Name);
            lock (reports)
            {
                Assert.True(reports.Count < 50, $"{reports.Count} syncs for a burst of 50 updates");
                Assert.All(reports, r => Assert.Null(r.Error));
            }

            // Someone deletes a chain the proxy made: the next incremental update fails, a full replace follows.
            var chain = (await bed.ListTableAsync()).Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("chain svc-", StringComparison.Ordinal)).Split(' ')[1];
            await TestHost.RunAsync("/usr/sbin/nft", "flush", "chain", "ip", bed.Options.TableName, chain);
            await TestHost.RunAsync("/usr/sbin/nft", "delete", "element", "ip", bed.Options.TableName, "service-ips", "{ " + bed.ServiceIp(10) + " . tcp . 50 }");
            await TestHost.RunAsync("/usr/sbin/nft", "delete", "chain", "ip", bed.Options.TableName, chain);
            proxy.Update([ProxyTestBed.Service("burst", bed.ServiceIp(10), 51, Endpoint(a, 8080))]);
            await proxy.WaitForSyncAsync(new CancellationTokenSource(Reachable).Token);
            Assert.NotNull(proxy.LastSync!.Applied!.RecoveredFrom);
            Assert.True(proxy.LastSync.Applied.Full);
            Assert.Equal("a", (await EchoServer.TcpAsync(client.Netns, bed.ServiceIp(10), 51, Reachable)).Name);
        }
        finally
        {
            await stop.CancelAsync();
            await loop;
        }

        Assert.True(await proxy.Table.IsInstalledAsync(CancellationToken.None));
        await proxy.CleanupAsync(CancellationToken.None);
        Assert.False(await proxy.Table.IsInstalledAsync(CancellationToken.None));
        await proxy.CleanupAsync(CancellationToken.None);
    }
}
