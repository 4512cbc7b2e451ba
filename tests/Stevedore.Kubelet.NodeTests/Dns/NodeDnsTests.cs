using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.Client.Connecting;
using Stevedore.Client.Informers;
using Stevedore.Kubelet.Dns;
using Stevedore.Kubelet.NodeTests.Infrastructure;
using Stevedore.Network.Dns.Wire;
using Stevedore.Storage;

namespace Stevedore.Kubelet.NodeTests.Dns;

/// <summary>
/// The agent's cluster DNS against a real API server on SQLite: Services and EndpointSlices
/// written through the API appear in answers on the serving address (a link of the test's own,
/// an address no route on the machine uses), follow changes, and the link goes when it stops.
/// </summary>
public sealed class NodeDnsTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("stevedore-dns-test-").FullName;
    private IStore? _store;
    private ApiServerHost? _apiServer;
    private IKubernetes _client = null!;

    public async Task InitializeAsync()
    {
        if (Environment.UserName != "root")
        {
            return;
        }

        _store = StoreFactory.Open("sqlite", Path.Combine(_root, "store"));
        _apiServer = await ApiServerHost.StartAsync(new ApiServerOptions
        {
            Store = _store,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Authenticator = new BearerTokenAuthenticator([new StaticTokenAuthenticator([new StaticToken("node-token", new UserInfo("system:node:dns", null, ["system:nodes"]))])]),
        }, CancellationToken.None);
        _client = ClusterConnection.FromToken(_apiServer.Address, "node-token");
    }

    public async Task DisposeAsync()
    {
        try
        {
            _client?.Dispose();
            if (_apiServer is not null)
            {
                await _apiServer.DisposeAsync();
            }
        }
        finally
        {
            if (_store is not null)
            {
                await _store.DisposeAsync();
            }

            Directory.Delete(_root, recursive: true);
        }
    }

    [NodeFact]
    public async Task NodeDns_ServicesFromTheApi_AnsweredFollowedAndLinkRemovedOnStop()
    {
        var address = await UnusedAddressAsync();
        var linkName = "stvd" + Guid.NewGuid().ToString("N")[..11];
        await using var informers = new SharedInformerFactory(_client);
        var dns = new NodeDns(informers, new NodeDnsOptions { Address = address, LinkName = linkName });
        using var stop = new CancellationTokenSource();
        informers.Start(stop.Token);
        var run = Task.Run(() => dns.RunAsync(stop.Token));
        var server = new IPEndPoint(address, 53);
        try
        {
            // Nothing is sent before the address is on the node: a query to it would otherwise leave by the default route.
            await Eventually.TrueAsync(() => Task.FromResult(dns.Server is not null), "the DNS server to be bound");
            Assert.Equal(server, dns.Server!.LocalEndPoint);

            var web = await _client.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "web" },
                Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 80 }] },
            }, "default");
            await _client.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "nginx" },
                Spec = new V1ServiceSpec { ClusterIP = "None", Ports = [new V1ServicePort { Name = "web", Port = 8080 }] },
            }, "default");
            await _client.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "ext" },
                Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "web.default.svc.cluster.local" },
            }, "default");
            var slice = await _client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = "nginx-1", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "nginx" } },
                AddressType = "IPv4",
                Ports = [new Discoveryv1EndpointPort { Name = "web", Port = 8080, Protocol = "TCP" }],
                Endpoints =
                [
                    new V1Endpoint { Addresses = ["10.42.0.5"], Hostname = "web-0", Conditions = new V1EndpointConditions { Ready = true } },
                    new V1Endpoint { Addresses = ["10.42.0.6"], Hostname = "web-1", Conditions = new V1EndpointConditions { Ready = false } },
                ],
            }, "default");

            var clusterIp = web.Spec.ClusterIP;
            Assert.Equal([clusterIp], await AnswersEventuallyAsync(server, "web.default.svc.cluster.local", DnsType.A, a => a.Length == 1));
            Assert.Equal(["10.42.0.5"], await AnswersEventuallyAsync(server, "nginx.default.svc.cluster.local", DnsType.A, a => a.Length > 0));
            Assert.Equal(["10.42.0.5"], await AnswersEventuallyAsync(server, "web-0.nginx.default.svc.cluster.local", DnsType.A, a => a.Length > 0));
            Assert.Equal(["0 100 8080 web-0.nginx.default.svc.cluster.local."], await AnswersEventuallyAsync(server, "_web._tcp.nginx.default.svc.cluster.local", DnsType.SRV, a => a.Length > 0));
            Assert.Equal(new[] { clusterIp, "web.default.svc.cluster.local." }.Order(StringComparer.Ordinal), await AnswersEventuallyAsync(server, "ext.default.svc.cluster.local", DnsType.A, a => a.Length == 2));
            Assert.Equal(["web.default.svc.cluster.local."], await AnswersEventuallyAsync(server, ReverseName(clusterIp), DnsType.PTR, a => a.Length > 0));

            // web-1 turns ready: it joins the headless answer.
            slice.Endpoints[1].Conditions.Ready = true;
            await _client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, "nginx-1", "default");
            Assert.Equal(["10.42.0.5", "10.42.0.6"], await AnswersEventuallyAsync(server, "nginx.default.svc.cluster.local", DnsType.A, a => a.Length == 2));

            // The Service gains a named port: its SRV record appears (the Service object changed, its slices did not).
            web = await _client.CoreV1.ReadNamespacedServiceAsync("web", "default");
            web.Spec.Ports.Add(new V1ServicePort { Name = "metrics", Port = 9090, Protocol = "TCP" });
            await _client.CoreV1.ReplaceNamespacedServiceAsync(web, "web", "default");
            Assert.Equal(["0 100 9090 web.default.svc.cluster.local."], await AnswersEventuallyAsync(server, "_metrics._tcp.web.default.svc.cluster.local", DnsType.SRV, a => a.Length > 0));

            // The Service goes: its name does not exist any more.
            await _client.CoreV1.DeleteNamespacedServiceAsync("web", "default");
            await Eventually.TrueAsync(async () => (await QueryAsync(server, "web.default.svc.cluster.local", DnsType.A))?.ResponseCode == DnsResponseCode.NameError, "web to be NXDOMAIN");
            Assert.True(dns.Records.Current!.Services >= 3);
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }

        Assert.False(Directory.Exists("/sys/class/net/" + linkName), "the serving link is removed when DNS stops");
    }

    private static async Task<string[]> AnswersEventuallyAsync(IPEndPoint server, string name, ushort type, Func<string[], bool> done)
    {
        return await Eventually.GetAsync(
            async () => (await QueryAsync(server, name, type))?.Answers.Select(a => a.Data).Order(StringComparer.Ordinal).ToArray() ?? [],
            done, $"{name} {DnsType.Name(type)}");
    }

    private static async Task<DnsMessage?> QueryAsync(IPEndPoint server, string name, ushort type, TimeSpan? timeout = null)
    {
        Assert.True(IsLocal(server.Address), $"{server.Address} is not on this node: refusing to send a query that would leave it");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var id = (ushort)Random.Shared.Next(65536);
        try
        {
            socket.Connect(server);
            await socket.SendAsync(DnsMessage.BuildQuery(id, name, type), SocketFlags.None);
            using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(2));
            var buffer = new byte[65535];
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            var message = DnsMessage.Parse(buffer.AsSpan(0, received));
            return BinaryPrimitives.ReadUInt16BigEndian(buffer) == id ? message : null;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            // Not served yet (or any more).
            return null;
        }
    }

    private static bool IsLocal(IPAddress address) =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Any(a => a.Address.Equals(address));

    private static string ReverseName(string ip) => string.Join('.', ip.Split('.').Reverse()) + ".in-addr.arpa";

    /// <summary>An address in 10.200-229.x.10 of a /24 no route on the machine touches.</summary>
    private static async Task<IPAddress> UnusedAddressAsync()
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/sbin/ip", "-4 -j route show table all") { RedirectStandardOutput = true })!;
        var routes = JsonNode.Parse(await process.StandardOutput.ReadToEndAsync())!.AsArray()
            .Select(r => r?["dst"]?.GetValue<string>() ?? "").ToList();
        await process.WaitForExitAsync();
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var prefix = $"10.{Random.Shared.Next(200, 230)}.{Random.Shared.Next(0, 256)}.";
            if (!routes.Any(d => d.StartsWith(prefix, StringComparison.Ordinal) || d is "10.0.0.0/8" or "10.192.0.0/10"))
            {
                return IPAddress.Parse(prefix + "10");
            }
        }

        throw new InvalidOperationException("no unused address in 10.200.0.0-10.229.255.255");
    }
}
