using System.Net;
using Stevedore.Network.Routes;

namespace Stevedore.Network.Tests;

public sealed class NodeRoutesTests
{
    [Fact]
    public void ParseRoutes_IpJsonOutput_RoutesWithGateways()
    {
        var routes = NodeRoutes.ParseRoutes("""
            [{"dst":"10.42.1.0/24","gateway":"192.168.5.11","dev":"eth0","protocol":"180","flags":[]},
             {"dst":"10.42.2.0/24","dev":"stevedore0","protocol":"180","scope":"link","flags":[]},
             {"dst":"10.42.3.7","gateway":"192.168.5.12","dev":"eth0","protocol":"180","flags":[]}]
            """);

        Assert.Equal(
            [NodeRoute.Parse("10.42.1.0/24", "192.168.5.11"), NodeRoute.Parse("10.42.3.7/32", "192.168.5.12")],
            routes);
    }

    [Fact]
    public void ParseRoutes_Empty_IsEmpty()
    {
        Assert.Empty(NodeRoutes.ParseRoutes(""));
        Assert.Empty(NodeRoutes.ParseRoutes("[]"));
    }

    [Fact]
    public void ParseRoutes_NotJson_Throws() => Assert.Throws<FormatException>(() => NodeRoutes.ParseRoutes("{oops"));

    [Fact]
    public void NodeRoute_Parse_ReadsCidrAndAddress()
    {
        var route = NodeRoute.Parse("fd00:42:1::/64", "fd00::11");

        Assert.Equal(IPAddress.Parse("fd00::11"), route.NodeIp);
        Assert.Equal(64, route.PodCidr.PrefixLength);
        Assert.Equal("fd00:42:1::/64 via fd00::11", route.ToString());
    }

    [Theory]
    [InlineData("10.42.1.0/24", "fd00::1")]
    [InlineData("10.42.1.0/24", "not-an-ip")]
    [InlineData("10.42.1.9/24", "10.0.0.1")]
    public void NodeRoute_Parse_Invalid_Throws(string cidr, string node) =>
        Assert.Throws<FormatException>(() => NodeRoute.Parse(cidr, node));

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(255)]
    public void Constructor_ReservedProtocol_Throws(int protocol) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new NodeRoutes(protocol));
}
