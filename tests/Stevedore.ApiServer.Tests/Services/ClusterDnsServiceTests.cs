using System.Net;
using Stevedore.ApiServer.Services;

namespace Stevedore.ApiServer.Tests.Services;

public sealed class ClusterDnsServiceTests
{
    [Theory]
    [InlineData("10.43.0.0/16", "10.43.0.10")]
    [InlineData("172.20.0.0/24", "172.20.0.10")]
    [InlineData("10.96.0.0/12", "10.96.0.10")]
    public void DefaultAddress_TheRangesBasePlusTen(string cidr, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), ClusterDnsService.DefaultAddress(ServiceIPRange.Parse(cidr)));
    }

    [Fact]
    public void Manifest_KubeDnsInKubeSystemWithoutSelector()
    {
        var service = ClusterDnsService.Manifest(IPAddress.Parse("10.43.0.10"));

        Assert.Equal("kube-system", service["metadata"]!["namespace"]!.ToString());
        Assert.Equal("kube-dns", service["metadata"]!["name"]!.ToString());
        Assert.Equal("10.43.0.10", service["spec"]!["clusterIP"]!.ToString());
        Assert.Null(service["spec"]!["selector"]);
        Assert.Equal(2, service["spec"]!["ports"]!.AsArray().Count);
    }
}
