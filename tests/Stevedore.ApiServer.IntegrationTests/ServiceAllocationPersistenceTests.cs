using System.Net;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.IntegrationTests;

/// <summary>Allocation under concurrency and across restarts, each test on servers of its own.</summary>
public sealed class ServiceAllocationPersistenceTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "stevedore-svc-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    private static string Service(string name, string type = "ClusterIP", string? clusterIP = null, long? nodePort = null) =>
        ServiceAllocationTests.Service(name, type, clusterIP, nodePort);

    [Fact]
    public async Task ParallelCreates_InATinyRange_NeverShareAnIPAndStopWhenFull()
    {
        // A /28 has 14 usable addresses; the kubernetes Service holds the first, so 13 are left
        // for 20 parallel creates: 13 must succeed with distinct IPs and 7 must be refused.
        await using var server = await OwnServer.StartAsync(_dataDir, serviceCidr: "10.44.0.0/28");
        await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"race"}}""");
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/race/services", Service($"s{i}"))));

        var created = results.Where(r => r.Code == HttpStatusCode.Created).Select(r => r.Body["spec"]!["clusterIP"]!.ToString()).ToList();
        Assert.Equal(13, created.Count);
        Assert.Equal(13, created.Distinct().Count());
        Assert.DoesNotContain("10.44.0.1", created);
        Assert.All(created, ip => Assert.StartsWith("10.44.0.", ip, StringComparison.Ordinal));
        var refused = results.Where(r => r.Code != HttpStatusCode.Created).ToList();
        Assert.Equal(7, refused.Count);
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.InternalServerError, r.Code));
        Assert.All(refused, r => Assert.Equal("Internal error occurred: failed to allocate a serviceIP: range is full", r.Body["message"]!.ToString()));

        // What the store holds agrees: 13 Services plus kubernetes, all distinct.
        var (_, list) = await server.SendAsync(HttpMethod.Get, "/api/v1/services");
        var stored = list["items"]!.AsArray().Select(s => s!["spec"]!["clusterIP"]!.ToString()).ToList();
        Assert.Equal(14, stored.Count);
        Assert.Equal(14, stored.Distinct().Count());
    }

    [Fact]
    public async Task ParallelCreates_InATinyNodePortRange_NeverShareAPort()
    {
        await using var server = await OwnServer.StartAsync(_dataDir, nodePorts: "30100-30109");
        await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"race"}}""");
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/race/services", Service($"n{i}", type: "NodePort"))));

        var ports = results.Where(r => r.Code == HttpStatusCode.Created).Select(r => r.Body["spec"]!["ports"]![0]!["nodePort"]!.GetValue<long>()).ToList();
        Assert.Equal(10, ports.Count);
        Assert.Equal(Enumerable.Range(30100, 10).Select(p => (long)p), ports.Order());
        Assert.All(results.Where(r => r.Code != HttpStatusCode.Created), r =>
            Assert.Equal("Internal error occurred: failed to allocate a nodePort: range is full", r.Body["message"]!.ToString()));
    }

    [Fact]
    public async Task ParallelCreates_RequestingTheSameIPAndPort_OnlyOneWins()
    {
        await using var server = await OwnServer.StartAsync(_dataDir);
        await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"race"}}""");
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/race/services", Service($"r{i}", type: "NodePort", clusterIP: "10.43.0.50", nodePort: i % 2 == 0 ? 30050 : null))));
        Assert.Single(results, r => r.Code == HttpStatusCode.Created);
        Assert.All(results.Where(r => r.Code != HttpStatusCode.Created), r => Assert.Equal((HttpStatusCode)422, r.Code));
    }

    [Fact]
    public async Task Restart_OverTheSameData_KeepsAllocationsAndFreesDeletedOnes()
    {
        string kept;
        long keptPort;
        string deletedIP;
        long deletedPort;
        await using (var first = await OwnServer.StartAsync(_dataDir))
        {
            await first.SendAsync(HttpMethod.Post, "/api/v1/namespaces", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"app"}}""");
            var (_, a) = await first.SendAsync(HttpMethod.Post, "/api/v1/namespaces/app/services", Service("kept", type: "NodePort"));
            var (_, b) = await first.SendAsync(HttpMethod.Post, "/api/v1/namespaces/app/services", Service("gone", type: "NodePort"));
            kept = a["spec"]!["clusterIP"]!.ToString();
            keptPort = a["spec"]!["ports"]![0]!["nodePort"]!.GetValue<long>();
            deletedIP = b["spec"]!["clusterIP"]!.ToString();
            deletedPort = b["spec"]!["ports"]![0]!["nodePort"]!.GetValue<long>();
            Assert.Equal(HttpStatusCode.OK, (await first.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/app/services/gone")).Code);
        }

        await using var second = await OwnServer.StartAsync(_dataDir);
        var (ipCode, ipStatus) = await second.SendAsync(HttpMethod.Post, "/api/v1/namespaces/app/services", Service("thief", clusterIP: kept));
        Assert.Equal((HttpStatusCode)422, ipCode);
        Assert.Contains("provided IP is already allocated", ipStatus["message"]!.ToString());

        var (portCode, portStatus) = await second.SendAsync(HttpMethod.Post, "/api/v1/namespaces/app/services", Service("thief", type: "NodePort", nodePort: keptPort));
        Assert.Equal((HttpStatusCode)422, portCode);
        Assert.Contains("provided port is already allocated", portStatus["message"]!.ToString());

        var (reuseCode, reused) = await second.SendAsync(HttpMethod.Post, "/api/v1/namespaces/app/services", Service("reuse", type: "NodePort", clusterIP: deletedIP, nodePort: deletedPort));
        Assert.Equal(HttpStatusCode.Created, reuseCode);
        Assert.Equal(deletedIP, reused["spec"]!["clusterIP"]!.ToString());

        // The kubernetes Service was reconciled, not recreated: one Service, same IP.
        var (_, kubernetes) = await second.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/kubernetes");
        Assert.Equal("10.43.0.1", kubernetes["spec"]!["clusterIP"]!.ToString());
        Assert.Equal(second.Host.Address.Port, kubernetes["spec"]!["ports"]![0]!["targetPort"]!.GetValue<int>());
    }

    [Fact]
    public async Task Restart_TinyRangeFull_StaysFullUntilADelete()
    {
        // Proves nothing leaks and nothing is double-counted across a restart: a /29 has 6
        // usable addresses, kubernetes holds one, five Services hold the rest.
        await using (var first = await OwnServer.StartAsync(_dataDir, serviceCidr: "10.45.0.0/29"))
        {
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.Created, (await first.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services", Service($"f{i}"))).Code);
            }

            Assert.Equal(HttpStatusCode.InternalServerError, (await first.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services", Service("extra"))).Code);
        }

        await using var second = await OwnServer.StartAsync(_dataDir, serviceCidr: "10.45.0.0/29");
        Assert.Equal(HttpStatusCode.InternalServerError, (await second.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services", Service("extra"))).Code);
        Assert.Equal(HttpStatusCode.OK, (await second.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/default/services/f3")).Code);
        var (code, created) = await second.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services", Service("extra"));
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.StartsWith("10.45.0.", created["spec"]!["clusterIP"]!.ToString(), StringComparison.Ordinal);
    }
}
