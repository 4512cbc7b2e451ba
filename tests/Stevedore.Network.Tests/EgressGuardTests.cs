using Stevedore.Network.Egress;

namespace Stevedore.Network.Tests;

public sealed class EgressGuardTests
{
    [Fact]
    public void Script_ReplacesTheTableAtomicallyAndDropsForwardsToDisallowedDestinations()
    {
        var script = EgressGuard.Script("stevedore_egress_stevedore0", "stevedore0", [Cidr.Parse("10.42.0.0/16", "x"), Cidr.Parse("192.168.7.3/32", "x"), Cidr.Parse("fd00:42::/48", "x")]);

        var lines = script.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Equal("table inet stevedore_egress_stevedore0 {}", lines[0]);
        Assert.Equal("delete table inet stevedore_egress_stevedore0", lines[1]);
        Assert.Equal("table inet stevedore_egress_stevedore0 {", lines[2]);
        Assert.Contains("elements = { 10.42.0.0/16, 192.168.7.3/32 }", lines);
        Assert.Contains("elements = { fd00:42::/48 }", lines);
        Assert.Contains("type filter hook forward priority filter - 10; policy accept;", lines);
        Assert.Contains("iifname \"stevedore0\" oifname != \"stevedore0\" ct state != { established, related } ip daddr != @allowed4 counter drop", lines);
        Assert.Contains("iifname \"stevedore0\" oifname != \"stevedore0\" ct state != { established, related } ip6 daddr != @allowed6 counter drop", lines);
    }

    [Fact]
    public void Script_NothingAllowed_EmptySetsSoEveryForwardIsDropped()
    {
        var script = EgressGuard.Script("t", "br0", []);

        Assert.DoesNotContain("elements", script, StringComparison.Ordinal);
        Assert.Contains("ip daddr != @allowed4 counter drop", script, StringComparison.Ordinal);
    }

    [Fact]
    public void TableName_DerivedFromTheBridge()
    {
        Assert.Equal("stevedore_egress_stevedore0", new EgressGuard("stevedore0").TableName);
        Assert.Equal("stevedore_egress_br_1_x", new EgressGuard("br-1.x").TableName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("br\"; flush ruleset")]
    [InlineData("longer-than-fifteen")]
    public void Constructor_BadBridgeName_Throws(string bridge) =>
        Assert.Throws<ArgumentException>(() => new EgressGuard(bridge));
}
