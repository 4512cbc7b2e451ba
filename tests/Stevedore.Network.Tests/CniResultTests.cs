using System.Net;
using Stevedore.Network.Cni;

namespace Stevedore.Network.Tests;

public sealed class CniResultTests
{
    // What Debian's bridge plugin (1.1.1) printed for an ADD.
    private const string BridgeResult = """
        {
            "cniVersion": "1.0.0",
            "interfaces": [
                { "name": "stvexp3747", "mac": "76:a9:8f:56:70:22" },
                { "name": "veth0bb9555a", "mac": "e6:27:7c:29:3c:3b" },
                { "name": "eth0", "mac": "d2:5a:f2:4d:52:6e", "sandbox": "/run/netns/stvexp22043" }
            ],
            "ips": [ { "interface": 2, "address": "10.251.77.2/24", "gateway": "10.251.77.1" } ],
            "routes": [ { "dst": "0.0.0.0/0" } ],
            "dns": {}
        }
        """;

    [Fact]
    public void Parse_BridgeResult_InterfacesIpsRoutes()
    {
        var result = CniResult.Parse(BridgeResult, "bridge", "ADD");

        Assert.Equal("1.0.0", result.CniVersion);
        Assert.Equal(["stvexp3747", "veth0bb9555a", "eth0"], result.Interfaces.Select(i => i.Name));
        Assert.Equal("/run/netns/stvexp22043", result.Interfaces[2].Sandbox);
        Assert.Equal("", result.Interfaces[0].Sandbox);
        var ip = Assert.Single(result.Ips);
        Assert.Equal(IPAddress.Parse("10.251.77.2"), ip.Address);
        Assert.Equal(24, ip.PrefixLength);
        Assert.Equal(IPAddress.Parse("10.251.77.1"), ip.Gateway);
        Assert.Equal(2, ip.InterfaceIndex);
        Assert.Equal("10.251.77.2/24", ip.ToString());
        var route = Assert.Single(result.Routes);
        Assert.Equal(0, route.Destination.PrefixLength);
        Assert.Null(route.Gateway);
        Assert.Empty(result.Dns.Nameservers);
        Assert.Equal([IPAddress.Parse("10.251.77.2")], result.SandboxAddresses("eth0"));
        Assert.Empty(result.SandboxAddresses("eth1"));
    }

    [Fact]
    public void Parse_OlderVersionWithVersionFieldAndDns_IsRead()
    {
        var result = CniResult.Parse("""
            {"cniVersion":"0.4.0","ips":[{"version":"4","address":"10.1.2.3/16","gateway":"10.1.0.1"}],
             "routes":[{"dst":"10.9.0.5/16","gw":"10.1.0.254"}],
             "dns":{"nameservers":["10.43.0.10"],"domain":"cluster.local","search":["a","b"],"options":["ndots:5"]}}
            """, "ptp", "ADD");

        Assert.Equal([IPAddress.Parse("10.1.2.3")], result.SandboxAddresses("eth0"));
        Assert.Equal("10.9.0.0", result.Routes[0].Destination.BaseAddress.ToString());
        Assert.Equal(IPAddress.Parse("10.1.0.254"), result.Routes[0].Gateway);
        Assert.Equal(["10.43.0.10"], result.Dns.Nameservers);
        Assert.Equal("cluster.local", result.Dns.Domain);
        Assert.Equal(["a", "b"], result.Dns.Search);
        Assert.Equal(["ndots:5"], result.Dns.Options);
    }

    [Fact]
    public void SandboxAddresses_DualStack_IPv4First()
    {
        var result = CniResult.Parse("""
            {"cniVersion":"1.0.0","interfaces":[{"name":"br"},{"name":"eth0","sandbox":"/run/netns/x"}],
             "ips":[{"interface":1,"address":"fd00:42::5/64"},{"interface":1,"address":"10.42.0.5/24"},{"interface":0,"address":"10.42.0.1/24"}]}
            """, "bridge", "ADD");

        Assert.Equal([IPAddress.Parse("10.42.0.5"), IPAddress.Parse("fd00:42::5")], result.SandboxAddresses("eth0"));
    }

    [Theory]
    [InlineData("this is not json", "not a CNI result")]
    [InlineData("[]", "not a CNI result")]
    [InlineData("""{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.1"}]}""", "not an address with a prefix")]
    [InlineData("""{"cniVersion":"1.0.0","ips":[{"gateway":"10.0.0.1"}]}""", "lacks \"address\"")]
    [InlineData("""{"cniVersion":"1.0.0","interfaces":[],"ips":[{"interface":3,"address":"10.0.0.2/24"}]}""", "names interface 3")]
    [InlineData("""{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24","gateway":"nope"}]}""", "not an IP address")]
    [InlineData("""{"cniVersion":"1.0.0","ips":{}}""", "not an array")]
    public void Parse_Malformed_ThrowsCniExceptionNamingThePlugin(string text, string message)
    {
        var error = Assert.Throws<CniException>(() => CniResult.Parse(text, "bridge", "ADD"));

        Assert.Equal("bridge", error.Plugin);
        Assert.Equal("ADD", error.Command);
        Assert.Equal(0, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
