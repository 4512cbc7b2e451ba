using System.Net;

namespace Stevedore.ApiServer.IntegrationTests;

/// <summary>The kube-dns Service a server creates at start-up: the DNS address reserved and visible.</summary>
public sealed class ClusterDnsServiceTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("stevedore-kubedns-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    private async Task<OwnServer> StartAsync(IPAddress? clusterDns, string serviceCidr = "10.43.0.0/16") =>
        await OwnServer.StartAsync(_dataDir, serviceCidr, clusterDns: clusterDns);

    [Fact]
    public async Task Start_WithClusterDns_KubeDnsServiceHoldsTheAddress()
    {
        await using var server = await StartAsync(IPAddress.Parse("10.43.0.10"));

        var (code, service) = await server.SendAsync(HttpMethod.Get, "/api/v1/namespaces/kube-system/services/kube-dns");

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("kube-dns", service["metadata"]!["labels"]!["k8s-app"]!.ToString());
        Assert.Equal("10.43.0.10", service["spec"]!["clusterIP"]!.ToString());
        Assert.Null(service["spec"]!["selector"]);
        Assert.Equal(
            "dns/UDP/53,dns-tcp/TCP/53",
            string.Join(',', service["spec"]!["ports"]!.AsArray().Select(p => $"{p!["name"]}/{p["protocol"]}/{p["port"]}")));
        // The address is taken: nobody else gets it.
        var (refused, status) = await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services",
            """{"apiVersion":"v1","kind":"Service","metadata":{"name":"thief"},"spec":{"clusterIP":"10.43.0.10","ports":[{"port":53}]}}""");
        Assert.Equal((HttpStatusCode)422, refused);
        Assert.Contains("provided IP is already allocated", status["message"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_UserChangedKubeDns_KeptAsItIs()
    {
        await using (var first = await StartAsync(IPAddress.Parse("10.43.0.10")))
        {
            var (code, _) = await first.SendAsync(HttpMethod.Patch, "/api/v1/namespaces/kube-system/services/kube-dns",
                """{"metadata":{"labels":{"team":"dns"}}}""", "application/merge-patch+json");
            Assert.Equal(HttpStatusCode.OK, code);
        }

        await using var second = await StartAsync(IPAddress.Parse("10.43.0.10"));
        var (_, service) = await second.SendAsync(HttpMethod.Get, "/api/v1/namespaces/kube-system/services/kube-dns");

        Assert.Equal("dns", service["metadata"]!["labels"]!["team"]!.ToString());
        Assert.Equal("10.43.0.10", service["spec"]!["clusterIP"]!.ToString());
    }

    [Fact]
    public async Task Start_AddressOutsideTheRange_ServerStartsWithoutKubeDns()
    {
        await using var server = await StartAsync(IPAddress.Parse("10.99.0.10"));

        var (code, _) = await server.SendAsync(HttpMethod.Get, "/api/v1/namespaces/kube-system/services/kube-dns");
        var (ready, _) = await server.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/kubernetes");

        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal(HttpStatusCode.OK, ready);
    }
}
