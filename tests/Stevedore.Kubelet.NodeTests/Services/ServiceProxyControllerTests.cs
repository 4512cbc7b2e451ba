using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.Client.Connecting;
using Stevedore.Client.Informers;
using Stevedore.Kubelet.Services;
using Stevedore.Network.Proxy;
using Stevedore.Storage;

namespace Stevedore.Kubelet.NodeTests.Services;

/// <summary>
/// The proxy controller against a real API server (SQLite) and real nftables: Services and
/// EndpointSlices made through the API turn into rules in a table of the test's own, and leave again.
/// The API server allocates cluster IPs from a /24 no route on this machine overlaps, so the rules never
/// meet a real agent's; nothing sends traffic to them (traffic is the Network node tests' part).
/// </summary>
public sealed class ServiceProxyControllerTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("stevedore-proxy-controller-").FullName;
    private readonly string _table = "stvpc_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..12];
    private IStore? _store;
    private ApiServerHost? _apiServer;
    private IKubernetes _client = null!;
    private string _serviceRange = "";

    public async Task InitializeAsync()
    {
        if (Environment.UserName != "root")
        {
            return;
        }

        _serviceRange = await FreeRangeAsync();
        _store = StoreFactory.Open("sqlite", Path.Combine(_root, "store"));
        _apiServer = await ApiServerHost.StartAsync(new ApiServerOptions
        {
            Store = _store,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            ServiceCidr = _serviceRange,
            Authenticator = new BearerTokenAuthenticator([new StaticTokenAuthenticator([new StaticToken("admin-token", new UserInfo("admin", null, ["system:masters"]))])]),
        }, CancellationToken.None);
        _client = ClusterConnection.FromToken(_apiServer.Address, "admin-token");
    }

    public async Task DisposeAsync()
    {
        try
        {
            await ProxyTable.RemoveAsync(_table, CancellationToken.None);
        }
        finally
        {
            if (_apiServer is not null)
            {
                await _apiServer.DisposeAsync();
            }

            if (_store is not null)
            {
                await _store.DisposeAsync();
            }

            Directory.Delete(_root, recursive: true);
        }
    }

    [NodeFact]
    public async Task Controller_ServicesAndSlicesThroughTheApi_RulesFollowCreateUpdateDelete_StopKeepsThemCleanupRemoves()
    {
        await using var informers = new SharedInformerFactory(_client);
        var controller = new ServiceProxyController(informers, new ServiceProxyOptions
        {
            TableName = _table,
            NodeName = "node-a",
            ServiceCidrs = [IPNetwork.Parse(_serviceRange)],
            MinSyncInterval = TimeSpan.FromMilliseconds(20),
        }, NullLogger<ServiceProxyController>.Instance);
        using var stop = new CancellationTokenSource();
        var run = controller.RunAsync(stop.Token);
        try
        {
            // A Service without a selector and without slices: its cluster IP refuses connections.
            var web = await _client.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "web" },
                Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 80 }] },
            }, "default");
            var vip = web.Spec.ClusterIP;
            Assert.True(IPNetwork.Parse(_serviceRange).Contains(IPAddress.Parse(vip)));
            await Eventually.TrueAsync(async () => (await MapAsync("no-endpoint-services")).Contains($"{vip} . tcp . 80 : goto reject-chain", StringComparison.Ordinal), "the endpoint-less Service refused");

            // A headless Service is not proxied.
            await _client.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "headless" },
                Spec = new V1ServiceSpec { ClusterIP = "None", Ports = [new V1ServicePort { Port = 80 }] },
            }, "default");

            var slice = await _client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = "web-1", Labels = new Dictionary<string, string> { [ProxyModelBuilder.ServiceNameLabel] = "web" } },
                AddressType = "IPv4",
                Endpoints = [new V1Endpoint { Addresses = ["10.231.250.5"], Conditions = new V1EndpointConditions { Ready = true }, NodeName = "node-a" }],
                Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" }],
            }, "default");
            await Eventually.TrueAsync(async () => (await TableAsync()).Contains("dnat to 10.231.250.5:8080", StringComparison.Ordinal), "DNAT to the slice's endpoint");
            Assert.Contains($"{vip} . tcp . 80 : goto svc-", await MapAsync("service-ips"), StringComparison.Ordinal);
            Assert.DoesNotContain($"{vip} . tcp . 80", await MapAsync("no-endpoint-services"), StringComparison.Ordinal);

            // The endpoint starts terminating while a new one is ready: only the ready one gets new connections.
            slice.Endpoints =
            [
                new V1Endpoint { Addresses = ["10.231.250.5"], Conditions = new V1EndpointConditions { Ready = false, Serving = true, Terminating = true } },
                new V1Endpoint { Addresses = ["10.231.250.6"], Conditions = new V1EndpointConditions { Ready = true } },
            ];
            await _client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, "web-1", "default");
            await Eventually.TrueAsync(async () => (await TableAsync()).Contains("dnat to 10.231.250.6:8080", StringComparison.Ordinal), "DNAT to the new ready endpoint");
            Assert.DoesNotContain("10.231.250.5:8080", await TableAsync(), StringComparison.Ordinal);

            await _client.CoreV1.DeleteNamespacedServiceAsync("web", "default");
            await Eventually.TrueAsync(async () => !(await TableAsync()).Contains(vip + " ", StringComparison.Ordinal), "the deleted Service's rules gone");
            Assert.DoesNotContain("default/web/", await TableAsync(), StringComparison.Ordinal);
            Assert.DoesNotContain("default/headless/", await TableAsync(), StringComparison.Ordinal);
            Assert.Null(controller.Proxy.LastSync!.Error);
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }

        // Stopping leaves the rules (Services keep working across an agent restart); cleanup removes them.
        Assert.True(await ProxyTable.IsInstalledAsync(_table, CancellationToken.None));
        await controller.Proxy.CleanupAsync(CancellationToken.None);
        Assert.False(await ProxyTable.IsInstalledAsync(_table, CancellationToken.None));
    }

    private async Task<string> TableAsync() => await NftAsync("list", "table", "ip", _table);

    private async Task<string> MapAsync(string map) => await NftAsync("list", "map", "ip", _table, map);

    private static async Task<string> NftAsync(params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("/usr/sbin/nft", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    /// <summary>A /24 in 10.200–10.229 that no route on this machine overlaps (the proxy's rules for it then catch nobody else's traffic).</summary>
    private static async Task<string> FreeRangeAsync()
    {
        var info = new System.Diagnostics.ProcessStartInfo("/usr/sbin/ip", ["-4", "-j", "route", "show", "table", "all"]) { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(info)!;
        var routes = JsonNode.Parse(await process.StandardOutput.ReadToEndAsync())!.AsArray()
            .Select(r => r?["dst"]?.GetValue<string>())
            .Where(d => d is not null && d != "default")
            .Select(d => IPNetwork.TryParse(d!.Contains('/', StringComparison.Ordinal) ? d : d + "/32", out var n) ? n : (IPNetwork?)null)
            .OfType<IPNetwork>()
            .ToList();
        await process.WaitForExitAsync();
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var candidate = new IPNetwork(IPAddress.Parse($"10.{Random.Shared.Next(200, 230)}.{Random.Shared.Next(0, 256)}.0"), 24);
            if (!routes.Any(r => r.PrefixLength > 0 && (r.Contains(candidate.BaseAddress) || candidate.Contains(r.BaseAddress))))
            {
                return candidate.ToString();
            }
        }

        throw new InvalidOperationException("no free /24 in 10.200.0.0-10.229.255.0");
    }
}
