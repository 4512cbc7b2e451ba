using Stevedore.Network.Cni;

namespace Stevedore.Network.Tests;

public sealed class CniNetworkConfigListTests
{
    [Fact]
    public void Parse_Conflist_ReadsNameVersionAndPluginsInOrder()
    {
        var list = CniNetworkConfigList.Parse("""
            {"cniVersion":"0.4.0","name":"mynet","disableCheck":true,
             "plugins":[{"type":"bridge","bridge":"br0"},{"type":"portmap","capabilities":{"portMappings":true}}]}
            """, "/etc/cni/net.d/10-mynet.conflist");

        Assert.Equal("mynet", list.Name);
        Assert.Equal("0.4.0", list.CniVersion);
        Assert.True(list.DisableCheck);
        Assert.Equal(["bridge", "portmap"], list.Plugins.Select(p => (string?)p["type"]));
        Assert.Equal("/etc/cni/net.d/10-mynet.conflist", list.Source);
    }

    [Fact]
    public void Parse_SinglePluginConf_IsAListOfOne()
    {
        var list = CniNetworkConfigList.Parse("""{"cniVersion":"0.3.1","name":"single","type":"bridge","bridge":"br1"}""", "10-single.conf");

        var plugin = Assert.Single(list.Plugins);
        Assert.Equal("bridge", (string?)plugin["type"]);
        Assert.Equal("br1", (string?)plugin["bridge"]);
        Assert.False(list.DisableCheck);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("""{"cniVersion":"1.0.0","plugins":[{"type":"bridge"}]}""", "\"name\" must be set")]
    [InlineData("""{"cniVersion":"1.0.0","name":"has space","plugins":[{"type":"bridge"}]}""", "\"name\" must be set")]
    [InlineData("""{"name":"n","plugins":[{"type":"bridge"}]}""", "\"cniVersion\"")]
    [InlineData("""{"cniVersion":"one","name":"n","plugins":[{"type":"bridge"}]}""", "\"cniVersion\"")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[]}""", "non-empty array")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[{"bridge":"x"}]}""", "needs a \"type\"")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"../../bin/sh"}]}""", "needs a \"type\"")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n","plugins":[7]}""", "plugin 0 is not an object")]
    [InlineData("""{"cniVersion":"1.0.0","name":"n"}""", "neither \"plugins\"")]
    [InlineData("""{"cniVersion":1,"name":"n","type":"bridge"}""", "wrong type")]
    public void Parse_Invalid_ThrowsNamingTheSourceAndTheProblem(string json, string message)
    {
        var error = Assert.Throws<CniConfigException>(() => CniNetworkConfigList.Parse(json, "/conf/bad.conflist"));

        Assert.StartsWith("/conf/bad.conflist: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loopback_IsTheLoopbackPluginAlone() =>
        Assert.Equal("loopback", (string?)Assert.Single(CniNetworkConfigList.Loopback.Plugins)["type"]);

    [Theory]
    [InlineData("1.0.0", 1, 0, 0)]
    [InlineData("0.4.0", 0, 4, 0)]
    [InlineData("0.3", 0, 3, 0)]
    public void ParseVersion_Valid(string text, int major, int minor, int patch) =>
        Assert.Equal(new Version(major, minor, patch), CniNetworkConfigList.ParseVersion(text));

    [Theory]
    [InlineData("1")]
    [InlineData("1.0.0.0")]
    [InlineData("v1.0.0")]
    [InlineData("1..0")]
    public void ParseVersion_Malformed_IsNull(string text) => Assert.Null(CniNetworkConfigList.ParseVersion(text));
}
