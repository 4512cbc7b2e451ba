using System.Net;
using Stevedore.Network.Proxy;

namespace Stevedore.Network.Tests.Proxy;

public sealed class NftScriptTests
{
    private static readonly ServiceProxyOptions Options = new() { NodeName = "node-a" };

    private static ProxyService Service(string name, string clusterIp, params string[] endpoints) => new()
    {
        Namespace = "default",
        Name = name,
        ClusterIP = IPAddress.Parse(clusterIp),
        Port = 80,
        Endpoints = [.. endpoints.Select(e => new ProxyEndpoint(IPAddress.Parse(e), 8080))],
    };

    private static List<string> Lines(string script) => [.. script.Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    [Fact]
    public void Full_ReplacesTheTableInOneScript_SetsThenChainsThenElementsThenRules()
    {
        var lines = Lines(NftScript.Full("stvp", ProxyRenderer.Render([Service("web", "10.43.0.20", "10.42.0.5")], Options)));

        Assert.Equal(["add table ip stvp", "delete table ip stvp", "add table ip stvp"], lines[..3]);
        var firstChain = lines.FindIndex(l => l.StartsWith("add chain ", StringComparison.Ordinal));
        var firstElement = lines.FindIndex(l => l.StartsWith("add element ", StringComparison.Ordinal));
        var firstRule = lines.FindIndex(l => l.StartsWith("add rule ", StringComparison.Ordinal));
        Assert.True(lines.FindLastIndex(l => l.StartsWith("add map ", StringComparison.Ordinal) || l.StartsWith("add set ", StringComparison.Ordinal)) < firstChain);
        Assert.True(firstChain < firstElement && firstElement < firstRule);
        Assert.Contains("add chain ip stvp nat-prerouting { type nat hook prerouting priority -100 ; policy accept ; }", lines);
        Assert.Contains(lines, l => l.StartsWith("add element ip stvp service-ips { 10.43.0.20 . tcp . 80 : goto svc-", StringComparison.Ordinal));
    }

    [Fact]
    public void Update_NothingChanged_EmptyScript()
    {
        var rules = ProxyRenderer.Render([Service("web", "10.43.0.20", "10.42.0.5")], Options);

        Assert.Equal("", NftScript.Update("stvp", rules, ProxyRenderer.Render([Service("web", "10.43.0.20", "10.42.0.5")], Options)));
    }

    [Fact]
    public void Update_EndpointAdded_OnlyThatServicesChainIsRewritten()
    {
        var before = ProxyRenderer.Render([Service("web", "10.43.0.20", "10.42.0.5"), Service("api", "10.43.0.21", "10.42.0.9")], Options);
        var after = ProxyRenderer.Render([Service("web", "10.43.0.20", "10.42.0.5", "10.42.0.6"), Service("api", "10.43.0.21", "10.42.0.9")], Options);

        var lines = Lines(NftScript.Update("stvp", before, after)!);

        var chain = after.Chains.Single(c => c.Name.Contains("default/web", StringComparison.Ordinal)).Name;
        Assert.Equal(
        [
            $"flush chain ip stvp {chain}",
            $"add rule ip stvp {chain} meta l4proto tcp dnat to numgen random mod 2 map {{ 0 : 10.42.0.5 . 8080, 1 : 10.42.0.6 . 8080 }}",
            "add element ip stvp hairpin-endpoints { 10.42.0.6 . 10.42.0.6 }",
        ], lines);
    }

    [Fact]
    public void Update_ServiceRemoved_ElementDeletedBeforeItsChainIsFlushedAndDeleted()
    {
        var before = ProxyRenderer.Render([Service("web", "10.43.0.20", "10.42.0.5"), Service("api", "10.43.0.21", "10.42.0.9")], Options);
        var after = ProxyRenderer.Render([Service("api", "10.43.0.21", "10.42.0.9")], Options);

        var lines = Lines(NftScript.Update("stvp", before, after)!);

        var chain = before.Chains.Single(c => c.Name.Contains("default/web", StringComparison.Ordinal)).Name;
        var deleteElement = lines.IndexOf("delete element ip stvp service-ips { 10.43.0.20 . tcp . 80 }");
        var flush = lines.IndexOf($"flush chain ip stvp {chain}");
        var delete = lines.IndexOf($"delete chain ip stvp {chain}");
        Assert.True(deleteElement >= 0 && deleteElement < flush && flush < delete, string.Join("\n", lines));
        Assert.Contains("delete element ip stvp cluster-ips { 10.43.0.20 }", lines);
        Assert.Contains("delete element ip stvp hairpin-endpoints { 10.42.0.5 . 10.42.0.5 }", lines);
        Assert.DoesNotContain(lines, l => l.Contains("default/api", StringComparison.Ordinal));
    }

    [Fact]
    public void Update_LastEndpointGone_ServiceMovesFromDnatToRejectAndKeepsNoChain()
    {
        var before = ProxyRenderer.Render([Service("web", "10.43.0.20", "10.42.0.5")], Options);
        var after = ProxyRenderer.Render([Service("web", "10.43.0.20")], Options);

        var lines = Lines(NftScript.Update("stvp", before, after)!);

        Assert.Contains("delete element ip stvp service-ips { 10.43.0.20 . tcp . 80 }", lines);
        Assert.Contains("add element ip stvp no-endpoint-services { 10.43.0.20 . tcp . 80 : goto reject-chain }", lines);
        Assert.Contains(lines, l => l.StartsWith("delete chain ip stvp svc-", StringComparison.Ordinal));
    }

    [Fact]
    public void Update_AffinityServiceGainsAnEndpoint_ExistingAffinitySetsAreKept()
    {
        var affinity = TimeSpan.FromMinutes(10);
        var before = ProxyRenderer.Render([Service("web", "10.43.0.20", "10.42.0.5") with { SessionAffinityTimeout = affinity }], Options);
        var after = ProxyRenderer.Render([Service("web", "10.43.0.20", "10.42.0.5", "10.42.0.6") with { SessionAffinityTimeout = affinity }], Options);

        var lines = Lines(NftScript.Update("stvp", before, after)!);

        Assert.DoesNotContain(lines, l => l.StartsWith("delete set", StringComparison.Ordinal) || l.Contains("flush set", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("add set ip stvp aff-", StringComparison.Ordinal) && l.Contains("10.42.0.6", StringComparison.Ordinal));
    }

    [Fact]
    public void Update_AffinityTurnedOff_SetsDeletedAfterTheChainsUsingThem()
    {
        var before = ProxyRenderer.Render([Service("web", "10.43.0.20", "10.42.0.5") with { SessionAffinityTimeout = TimeSpan.FromMinutes(10) }], Options);
        var after = ProxyRenderer.Render([Service("web", "10.43.0.20", "10.42.0.5")], Options);

        var lines = Lines(NftScript.Update("stvp", before, after)!);

        var deleteChain = lines.FindIndex(l => l.StartsWith("delete chain ip stvp ep-", StringComparison.Ordinal));
        var deleteSet = lines.FindIndex(l => l.StartsWith("delete set ip stvp aff-", StringComparison.Ordinal));
        Assert.True(deleteChain >= 0 && deleteChain < deleteSet, string.Join("\n", lines));
    }

    [Fact]
    public void Update_BaseChainHookChanged_NeedsAFullReplace()
    {
        var before = new ProxyRuleSet();
        before.Add(new NftChain("pre", ["jump x"], "type nat hook prerouting priority -100 ; policy accept ;"));
        var after = new ProxyRuleSet();
        after.Add(new NftChain("pre", ["jump x"], "type nat hook prerouting priority -150 ; policy accept ;"));

        Assert.Null(NftScript.Update("stvp", before, after));
    }

    [Fact]
    public void Update_SetTypeChanged_NeedsAFullReplace()
    {
        var before = new ProxyRuleSet();
        before.Add(new NftSet("s", false, "{ type ipv4_addr ; }", new Dictionary<string, string?>()));
        var after = new ProxyRuleSet();
        after.Add(new NftSet("s", false, "{ type ipv4_addr . inet_service ; }", new Dictionary<string, string?>()));

        Assert.Null(NftScript.Update("stvp", before, after));
    }
}
