using System.Net;
using Stevedore.Network.Proxy;

namespace Stevedore.Network.Tests.Proxy;

public sealed class ProxyRendererTests
{
    private static readonly ServiceProxyOptions Options = new()
    {
        NodeName = "node-a",
        ClusterCidrs = [Cidr.Parse("10.42.0.0/16", "x")],
        ServiceCidrs = [Cidr.Parse("10.43.0.0/16", "x")],
    };

    private static ProxyService Web(params ProxyEndpoint[] endpoints) => new()
    {
        Namespace = "default",
        Name = "web",
        PortName = "http",
        ClusterIP = IPAddress.Parse("10.43.0.20"),
        Port = 80,
        Endpoints = endpoints,
    };

    private static ProxyEndpoint Ep(string ip, int port = 8080, bool ready = true, bool serving = true, bool terminating = false, string? node = "node-a") =>
        new(IPAddress.Parse(ip), port, ready, serving, terminating, node);

    private static NftChain ChainStartingWith(ProxyRuleSet rules, string prefix) => Assert.Single(rules.Chains, c => c.Name.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public void Render_ClusterIpWithTwoReadyEndpoints_ServiceIpsMapPointsAtAChainThatDnatsToARandomOne()
    {
        var rules = ProxyRenderer.Render([Web(Ep("10.42.0.5"), Ep("10.42.0.6", 9090))], Options);

        var chain = ChainStartingWith(rules, "svc-");
        Assert.EndsWith("-default/web/tcp/http", chain.Name, StringComparison.Ordinal);
        Assert.Equal(
        [
            "ip saddr != @cluster-cidrs jump mark-for-masquerade",
            "meta l4proto tcp dnat to numgen random mod 2 map { 0 : 10.42.0.5 . 8080, 1 : 10.42.0.6 . 9090 }",
        ], chain.Rules);
        var serviceIps = rules.Set(ProxyRenderer.ServiceIpsMap)!;
        Assert.True(serviceIps.IsMap);
        Assert.Equal("goto " + chain.Name, serviceIps.Elements!["10.43.0.20 . tcp . 80"]);
        Assert.Empty(rules.Set(ProxyRenderer.NoEndpointServicesMap)!.Elements!);
        Assert.Contains("10.43.0.20", rules.Set(ProxyRenderer.ClusterIpsSet)!.Elements!.Keys);
        Assert.Empty(rules.Problems);
    }

    [Fact]
    public void Render_OneEndpoint_PlainDnatWithoutNumgen()
    {
        var rules = ProxyRenderer.Render([Web(Ep("10.42.0.5")) with { Protocol = ProxyProtocol.Udp, PortName = "" }], Options with { ClusterCidrs = [] });

        var chain = ChainStartingWith(rules, "svc-");
        Assert.EndsWith("-default/web/udp/p80", chain.Name, StringComparison.Ordinal);
        Assert.Equal(["meta l4proto udp dnat to 10.42.0.5:8080"], chain.Rules);
        Assert.True(rules.Set(ProxyRenderer.ServiceIpsMap)!.Elements!.ContainsKey("10.43.0.20 . udp . 80"));
    }

    [Fact]
    public void Render_NoEndpoints_ClusterIpExternalAddressAndNodePortRejectedInFilterMaps()
    {
        var service = Web() with { NodePort = 30080, ExternalAddresses = [IPAddress.Parse("192.168.5.10")] };

        var rules = ProxyRenderer.Render([service], Options);

        Assert.DoesNotContain(rules.Chains, c => c.Name.StartsWith("svc-", StringComparison.Ordinal) || c.Name.StartsWith("ext-", StringComparison.Ordinal));
        var noEndpoints = rules.Set(ProxyRenderer.NoEndpointServicesMap)!.Elements!;
        Assert.Equal("goto reject-chain", noEndpoints["10.43.0.20 . tcp . 80"]);
        Assert.Equal("goto reject-chain", noEndpoints["192.168.5.10 . tcp . 80"]);
        Assert.Equal("goto reject-chain", rules.Set(ProxyRenderer.NoEndpointNodePortsMap)!.Elements!["tcp . 30080"]);
        Assert.Empty(rules.Set(ProxyRenderer.ServiceIpsMap)!.Elements!);
        Assert.Equal(["meta l4proto tcp reject with tcp reset", "reject"], rules.Chain(ProxyRenderer.RejectChain)!.Rules);
    }

    [Fact]
    public void Render_NotReadyAndNotServing_CountsAsNoEndpoints()
    {
        var rules = ProxyRenderer.Render([Web(Ep("10.42.0.5", ready: false, serving: false))], Options);

        Assert.Equal("goto reject-chain", rules.Set(ProxyRenderer.NoEndpointServicesMap)!.Elements!["10.43.0.20 . tcp . 80"]);
    }

    [Fact]
    public void Render_ReadyAndServingTerminating_OnlyTheReadyOnesGetTraffic()
    {
        var rules = ProxyRenderer.Render([Web(Ep("10.42.0.5"), Ep("10.42.0.6", ready: false, serving: true, terminating: true))], Options);

        Assert.Contains("meta l4proto tcp dnat to 10.42.0.5:8080", ChainStartingWith(rules, "svc-").Rules);
    }

    [Fact]
    public void Render_NoReadyButServingTerminating_TheTerminatingOnesStillGetTraffic()
    {
        var rules = ProxyRenderer.Render(
            [Web(Ep("10.42.0.6", ready: false, serving: true, terminating: true), Ep("10.42.0.7", ready: false, serving: false, terminating: true), Ep("10.42.0.8", ready: false, serving: true))],
            Options);

        // Not-ready, serving but not terminating (a failing readiness probe) stays out, as upstream.
        Assert.Contains("meta l4proto tcp dnat to 10.42.0.6:8080", ChainStartingWith(rules, "svc-").Rules);
    }

    [Fact]
    public void Render_SameEndpointInTwoSlices_OnceAndTheReadyCopyWins()
    {
        var rules = ProxyRenderer.Render([Web(Ep("10.42.0.5", ready: false, serving: false), Ep("10.42.0.5"))], Options);

        Assert.Contains("meta l4proto tcp dnat to 10.42.0.5:8080", ChainStartingWith(rules, "svc-").Rules);
    }

    [Fact]
    public void Render_SessionAffinity_EndpointChainsRecordTheClientInATimedSetAndReturningClientsGoBack()
    {
        var rules = ProxyRenderer.Render([Web(Ep("10.42.0.5"), Ep("10.42.0.6")) with { SessionAffinityTimeout = TimeSpan.FromSeconds(600) }], Options);

        var affinitySets = rules.Sets.Where(s => s.Name.StartsWith("aff-", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, affinitySets.Count);
        Assert.All(affinitySets, s =>
        {
            Assert.True(s.IsDynamic);
            Assert.Equal("{ type ipv4_addr ; flags dynamic,timeout ; timeout 600s ; }", s.Declaration);
        });
        var endpointChains = rules.Chains.Where(c => c.Name.StartsWith("ep-", StringComparison.Ordinal)).OrderBy(c => c.Name.Split("__")[1], StringComparer.Ordinal).ToList();
        Assert.Equal(2, endpointChains.Count);
        Assert.EndsWith("-default/web/tcp/http__10.42.0.5/8080", endpointChains[0].Name, StringComparison.Ordinal);
        var firstSet = "aff-" + endpointChains[0].Name["ep-".Length..];
        Assert.Equal([$"update @{firstSet} {{ ip saddr }}", "meta l4proto tcp dnat to 10.42.0.5:8080"], endpointChains[0].Rules);

        var service = ChainStartingWith(rules, "svc-").Rules;
        Assert.Contains($"ip saddr @{firstSet} goto {endpointChains[0].Name}", service);
        Assert.Equal($"numgen random mod 2 vmap {{ 0 : goto {endpointChains[0].Name}, 1 : goto {endpointChains[1].Name} }}", service[^1]);
    }

    [Fact]
    public void Render_AffinityTimeoutChanges_NewSetAndChainNames()
    {
        var before = ProxyRenderer.Render([Web(Ep("10.42.0.5")) with { SessionAffinityTimeout = TimeSpan.FromSeconds(600) }], Options);
        var after = ProxyRenderer.Render([Web(Ep("10.42.0.5")) with { SessionAffinityTimeout = TimeSpan.FromSeconds(60) }], Options);

        Assert.NotEqual(before.Sets.Single(s => s.IsDynamic).Name, after.Sets.Single(s => s.IsDynamic).Name);
    }

    [Fact]
    public void Render_NodePortAndExternalAddress_ExternalChainMasqueradesThenBalancesOverAllEndpoints()
    {
        var service = Web(Ep("10.42.0.5"), Ep("10.42.1.9", node: "node-b")) with { NodePort = 30080, ExternalAddresses = [IPAddress.Parse("192.168.5.10"), IPAddress.Parse("fd00::1")] };

        var rules = ProxyRenderer.Render([service], Options);

        var external = ChainStartingWith(rules, "ext-");
        Assert.Equal("jump mark-for-masquerade", external.Rules[0]);
        Assert.Equal("meta l4proto tcp dnat to numgen random mod 2 map { 0 : 10.42.0.5 . 8080, 1 : 10.42.1.9 . 8080 }", external.Rules[1]);
        Assert.Equal("goto " + external.Name, rules.Set(ProxyRenderer.NodePortsMap)!.Elements!["tcp . 30080"]);
        var serviceIps = rules.Set(ProxyRenderer.ServiceIpsMap)!.Elements!;
        Assert.Equal("goto " + external.Name, serviceIps["192.168.5.10 . tcp . 80"]);
        Assert.Equal(2, serviceIps.Count);
    }

    [Fact]
    public void Render_ExternalPolicyLocal_ExternalClientsOnlyReachLocalEndpointsAndKeepTheirAddress()
    {
        var service = Web(Ep("10.42.0.5"), Ep("10.42.1.9", node: "node-b")) with { NodePort = 30080, ExternalTrafficLocal = true };

        var rules = ProxyRenderer.Render([service], Options);

        var all = ChainStartingWith(rules, "all-");
        Assert.Equal(["meta l4proto tcp dnat to numgen random mod 2 map { 0 : 10.42.0.5 . 8080, 1 : 10.42.1.9 . 8080 }"], all.Rules);
        Assert.Equal(
        [
            $"ip saddr @cluster-cidrs goto {all.Name}",
            "fib saddr type local jump mark-for-masquerade",
            $"fib saddr type local goto {all.Name}",
            "meta l4proto tcp dnat to 10.42.0.5:8080",
        ], ChainStartingWith(rules, "ext-").Rules);
        // Cluster IP traffic still uses every endpoint.
        Assert.Contains("meta l4proto tcp dnat to numgen random mod 2 map { 0 : 10.42.0.5 . 8080, 1 : 10.42.1.9 . 8080 }", ChainStartingWith(rules, "svc-").Rules);
    }

    [Fact]
    public void Render_ExternalPolicyLocalWithoutLocalEndpoints_ExternalClientsDropped()
    {
        var service = Web(Ep("10.42.1.9", node: "node-b")) with { NodePort = 30080, ExternalTrafficLocal = true };

        var rules = ProxyRenderer.Render([service], Options);

        Assert.Equal("drop", ChainStartingWith(rules, "ext-").Rules[^1]);
        Assert.Empty(rules.Set(ProxyRenderer.NoEndpointNodePortsMap)!.Elements!);
    }

    [Fact]
    public void Render_InternalPolicyLocal_ClusterIpOnlyToLocalEndpoints_DroppedWhenNoneHere()
    {
        var local = ProxyRenderer.Render([Web(Ep("10.42.0.5"), Ep("10.42.1.9", node: "node-b")) with { InternalTrafficLocal = true }], Options);
        var none = ProxyRenderer.Render([Web(Ep("10.42.1.9", node: "node-b")) with { InternalTrafficLocal = true }], Options);

        Assert.Contains("meta l4proto tcp dnat to 10.42.0.5:8080", ChainStartingWith(local, "svc-").Rules);
        Assert.Equal("drop", none.Set(ProxyRenderer.NoEndpointServicesMap)!.Elements!["10.43.0.20 . tcp . 80"]);
        Assert.Empty(none.Set(ProxyRenderer.ServiceIpsMap)!.Elements!);
    }

    [Fact]
    public void Render_LocallyServedClusterIp_NoDnatNoRejectNoClusterIpEntry()
    {
        var dns = new ProxyService { Namespace = "kube-system", Name = "kube-dns", PortName = "dns", Protocol = ProxyProtocol.Udp, ClusterIP = IPAddress.Parse("10.43.0.10"), Port = 53 };

        var rules = ProxyRenderer.Render([dns, Web(Ep("10.42.0.5"))], Options with { LocallyServedAddresses = [IPAddress.Parse("10.43.0.10")] });

        Assert.DoesNotContain(rules.Set(ProxyRenderer.ServiceIpsMap)!.Elements!.Keys, k => k.StartsWith("10.43.0.10 ", StringComparison.Ordinal));
        Assert.DoesNotContain(rules.Set(ProxyRenderer.NoEndpointServicesMap)!.Elements!.Keys, k => k.StartsWith("10.43.0.10 ", StringComparison.Ordinal));
        Assert.DoesNotContain("10.43.0.10", rules.Set(ProxyRenderer.ClusterIpsSet)!.Elements!.Keys);
        Assert.Contains("10.43.0.20", rules.Set(ProxyRenderer.ClusterIpsSet)!.Elements!.Keys);
    }

    [Fact]
    public void Render_TwoServicesOnOneExternalAddressAndPort_FirstInKeyOrderKeepsItAndTheOtherIsReported()
    {
        var a = Web(Ep("10.42.0.5")) with { Name = "a", ClusterIP = IPAddress.Parse("10.43.0.21"), ExternalAddresses = [IPAddress.Parse("192.168.5.10")] };
        var b = Web(Ep("10.42.0.6")) with { Name = "b", ClusterIP = IPAddress.Parse("10.43.0.22"), ExternalAddresses = [IPAddress.Parse("192.168.5.10")] };

        var rules = ProxyRenderer.Render([b, a], Options);

        Assert.EndsWith("-default/a/tcp/http", rules.Set(ProxyRenderer.ServiceIpsMap)!.Elements!["192.168.5.10 . tcp . 80"], StringComparison.Ordinal);
        var problem = Assert.Single(rules.Problems);
        Assert.Contains("default/b/tcp/http", problem, StringComparison.Ordinal);
        Assert.Contains("default/a/tcp/http", problem, StringComparison.Ordinal);
        // b's cluster IP still works; no chain for an external path nobody uses.
        Assert.True(rules.Set(ProxyRenderer.ServiceIpsMap)!.Elements!.ContainsKey("10.43.0.22 . tcp . 80"));
        Assert.Single(rules.Chains, c => c.Name.StartsWith("ext-", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_HairpinSetHoldsEveryEndpointAddressPaired_AndPostroutingMasqueradesIt()
    {
        var rules = ProxyRenderer.Render([Web(Ep("10.42.0.5"), Ep("10.42.0.6"))], Options);

        Assert.Equal(["10.42.0.5 . 10.42.0.5", "10.42.0.6 . 10.42.0.6"], rules.Set(ProxyRenderer.HairpinSet)!.Elements!.Keys.Order(StringComparer.Ordinal));
        var masquerading = rules.Chain(ProxyRenderer.MasqueradingChain)!.Rules;
        Assert.Equal("ct status dnat ip saddr . ip daddr @hairpin-endpoints jump mark-for-masquerade", masquerading[0]);
        Assert.Equal("meta mark & 0x4000 == 0 return", masquerading[1]);
        Assert.Equal("masquerade fully-random", masquerading[^1]);
    }

    [Fact]
    public void Render_FixedChains_HooksAndPriorities()
    {
        var rules = ProxyRenderer.Render([], Options with { MasqueradeMark = 0x8000 });

        Assert.Equal("type nat hook prerouting priority -100 ; policy accept ;", rules.Chain("nat-prerouting")!.BaseDeclaration);
        Assert.Equal("type nat hook output priority -100 ; policy accept ;", rules.Chain("nat-output")!.BaseDeclaration);
        Assert.Equal("type nat hook postrouting priority 100 ; policy accept ;", rules.Chain("nat-postrouting")!.BaseDeclaration);
        Assert.Equal("type filter hook forward priority -20 ; policy accept ;", rules.Chain("filter-forward")!.BaseDeclaration);
        Assert.Contains("fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports", rules.Chain(ProxyRenderer.ServicesChain)!.Rules);
        Assert.Equal(["meta mark set meta mark or 0x8000"], rules.Chain(ProxyRenderer.MarkForMasqueradeChain)!.Rules);
        Assert.Equal(["fib daddr type local return", "ip daddr @cluster-ips goto reject-chain", "ip daddr @service-cidrs drop"], rules.Chain(ProxyRenderer.ClusterIpsCheckChain)!.Rules);
        Assert.Equal(["10.43.0.0/16"], rules.Set(ProxyRenderer.ServiceCidrsSet)!.Elements!.Keys);
        Assert.Equal(["10.42.0.0/16"], rules.Set(ProxyRenderer.ClusterCidrsSet)!.Elements!.Keys);
    }

    [Fact]
    public void Render_Ipv6ClusterIpOrBadPort_LeftOutWithAProblem()
    {
        var rules = ProxyRenderer.Render([Web(Ep("10.42.0.5")) with { ClusterIP = IPAddress.Parse("fd00:43::5") }, Web(Ep("10.42.0.5")) with { Name = "x", Port = 70000 }], Options);

        Assert.Equal(2, rules.Problems.Count);
        Assert.Empty(rules.Set(ProxyRenderer.ServiceIpsMap)!.Elements!);
    }

    [Fact]
    public void Render_SameInputTwice_SameRuleSet()
    {
        var services = new[] { Web(Ep("10.42.0.6"), Ep("10.42.0.5")), Web(Ep("10.42.0.7")) with { Name = "api", ClusterIP = IPAddress.Parse("10.43.0.30") } };

        var first = NftScript.Full("t", ProxyRenderer.Render(services, Options));
        var second = NftScript.Full("t", ProxyRenderer.Render(services.Reverse(), Options));

        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1table")]
    [InlineData("bad name")]
    [InlineData("semi;colon")]
    public void Options_BadTableName_Refused(string name) =>
        Assert.Throws<ArgumentException>(() => new ServiceProxyOptions { TableName = name }.Validate());

    [Fact]
    public void Options_MarkOfSeveralBits_Refused() =>
        Assert.Throws<ArgumentException>(() => new ServiceProxyOptions { MasqueradeMark = 0x6000 }.Validate());
}
