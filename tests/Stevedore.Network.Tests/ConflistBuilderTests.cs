using Stevedore.Network.Cni;

namespace Stevedore.Network.Tests;

public sealed class ConflistBuilderTests
{
    private static ConflistOptions Options(params string[] cidrs) => new() { PodCidrs = cidrs, IpamDataDir = "/var/lib/stevedore/cni/networks" };

    [Fact]
    public void Build_PodCidr_BridgeWithGatewayAndHostLocalRangeThenPortmap()
    {
        var conflist = ConflistBuilder.Build(Options("10.42.0.0/24"));

        Assert.Equal("1.0.0", (string?)conflist["cniVersion"]);
        Assert.Equal("stevedore", (string?)conflist["name"]);
        var plugins = conflist["plugins"]!.AsArray();
        Assert.Equal(["bridge", "portmap"], plugins.Select(p => (string?)p!["type"]));

        var bridge = plugins[0]!;
        Assert.Equal("stevedore0", (string?)bridge["bridge"]);
        Assert.True((bool)bridge["isGateway"]!);
        Assert.False((bool)bridge["ipMasq"]!);
        Assert.True((bool)bridge["hairpinMode"]!);
        Assert.Null(bridge["mtu"]);
        var ipam = bridge["ipam"]!;
        Assert.Equal("host-local", (string?)ipam["type"]);
        Assert.Equal("/var/lib/stevedore/cni/networks", (string?)ipam["dataDir"]);
        var range = Assert.Single(Assert.Single(ipam["ranges"]!.AsArray())!.AsArray())!;
        Assert.Equal("10.42.0.0/24", (string?)range["subnet"]);
        Assert.Equal("10.42.0.1", (string?)range["gateway"]);
        Assert.Equal("0.0.0.0/0", (string?)Assert.Single(ipam["routes"]!.AsArray())!["dst"]);

        var portmap = plugins[1]!;
        Assert.True((bool)portmap["capabilities"]!["portMappings"]!);
        Assert.True((bool)portmap["snat"]!);
    }

    [Fact]
    public void Build_Masquerade_TurnsOnIpMasq() =>
        Assert.True((bool)ConflistBuilder.Build(new ConflistOptions { PodCidrs = ["10.42.0.0/24"], IpamDataDir = "/x", Masquerade = true })["plugins"]![0]!["ipMasq"]!);

    [Fact]
    public void Build_DualStack_OneRangeAndDefaultRoutePerFamily()
    {
        var ipam = ConflistBuilder.Build(Options("10.42.0.0/24", "fd00:42::/64"))["plugins"]![0]!["ipam"]!;

        Assert.Equal(["10.42.0.0/24", "fd00:42::/64"], ipam["ranges"]!.AsArray().Select(r => (string?)r![0]!["subnet"]));
        Assert.Equal(["10.42.0.1", "fd00:42::1"], ipam["ranges"]!.AsArray().Select(r => (string?)r![0]!["gateway"]));
        Assert.Equal(["0.0.0.0/0", "::/0"], ipam["routes"]!.AsArray().Select(r => (string?)r!["dst"]));
    }

    [Fact]
    public void Build_NamesAndMtu_AreUsed()
    {
        var conflist = ConflistBuilder.Build(new ConflistOptions { PodCidrs = ["10.9.0.0/24"], IpamDataDir = "/x", NetworkName = "test-net", BridgeName = "stvtest0", Mtu = 1400 });

        Assert.Equal("test-net", (string?)conflist["name"]);
        Assert.Equal("stvtest0", (string?)conflist["plugins"]![0]!["bridge"]);
        Assert.Equal(1400, (int)conflist["plugins"]![0]!["mtu"]!);
    }

    [Fact]
    public void Render_ParsesAsTheSameNetworkConfigList()
    {
        var list = CniNetworkConfigList.Parse(ConflistBuilder.Render(Options("10.42.0.0/24")), "rendered");

        Assert.Equal("stevedore", list.Name);
        Assert.Equal(["bridge", "portmap"], list.Plugins.Select(p => (string?)p["type"]));
    }

    [Theory]
    [InlineData(new string[0], "no pod CIDR")]
    [InlineData(new[] { "10.42.0.7/24" }, "did you mean 10.42.0.0/24")]
    [InlineData(new[] { "10.42.0.0/31" }, "too small")]
    [InlineData(new[] { "10.42.0.0/24", "10.43.0.0/24" }, "second IPv4")]
    [InlineData(new[] { "not-a-cidr" }, "invalid pod CIDR")]
    public void Build_BadPodCidrs_Throw(string[] cidrs, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => ConflistBuilder.Build(Options(cidrs)));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a-bridge-name-longer-than-15")]
    [InlineData("br/0")]
    [InlineData("")]
    public void Build_BadBridgeName_Throws(string bridge) =>
        Assert.Throws<ArgumentException>(() => ConflistBuilder.Build(new ConflistOptions { PodCidrs = ["10.42.0.0/24"], IpamDataDir = "/x", BridgeName = bridge }));

    [Fact]
    public void Build_RelativeIpamDir_Throws() =>
        Assert.Throws<ArgumentException>(() => ConflistBuilder.Build(new ConflistOptions { PodCidrs = ["10.42.0.0/24"], IpamDataDir = "relative/dir" }));
}
