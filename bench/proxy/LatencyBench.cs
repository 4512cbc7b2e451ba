using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Stevedore.Network;
using Stevedore.Network.Cni;
using Stevedore.Network.Egress;
using Stevedore.Network.Netns;
using Stevedore.Network.Proxy;

namespace ProxyBench;

/// <summary>
/// HTTP request latency from one pod to another, straight to the pod IP and through a ClusterIP, in
/// network namespaces attached by the real CNI bridge plugin to a bridge of the benchmark's own (egress
/// guard on). The proxy table holds 1,000 other Services too, as on a busy node. Requests to both
/// targets alternate, so background load on the machine hits both alike. Two ways: a new TCP
/// connection per request (every request takes the NAT path), and one kept-alive connection.
/// </summary>
internal static class LatencyBench
{
    private const int ServerPort = 8080;
    private const int ServicePort = 80;

    public static async Task RunAsync(ResultTable table, Cleanup cleanup, int runs, int requests, CancellationToken cancellationToken)
    {
        var subnet = await Host.FreeNetworkAsync(24);
        var bridge = Host.UniqueName("stvbn");
        var dir = Directory.CreateTempSubdirectory("stevedore-proxy-bench-").FullName;
        cleanup.Add("temporary folder", () =>
        {
            Directory.Delete(dir, recursive: true);
            return Task.CompletedTask;
        });
        var conflist = new ConflistOptions
        {
            NetworkName = "proxybench-" + bridge,
            BridgeName = bridge,
            PodCidrs = [$"{subnet.BaseAddress}/{subnet.PrefixLength}"],
            IpamDataDir = Path.Combine(dir, "ipam"),
        };
        ConflistBuilder.Write(Path.Combine(dir, "net.d"), conflist);
        var network = CniNetworkConfigList.LoadDefault(Path.Combine(dir, "net.d"))!;
        var guard = new EgressGuard(bridge);
        cleanup.Add("bridge " + bridge, async () =>
        {
            if (Directory.Exists("/sys/class/net/" + bridge))
            {
                await Host.RunAsync("/usr/sbin/ip", "link", "delete", bridge);
            }
        });
        cleanup.Add("egress guard", () => guard.RemoveAsync(CancellationToken.None));
        await guard.ApplyAsync([subnet], cancellationToken);

        var invoker = new CniInvoker();
        var client = await AddPodAsync(invoker, network, cleanup, cancellationToken);
        var server = await AddPodAsync(invoker, network, cleanup, cancellationToken);

        // Service addresses go to a veth whose other end is alone in a namespace: untranslated, they reach nobody.
        var serviceRange = await Host.FreeNetworkAsync(22);
        var sinkNetns = NetworkNamespace.Create(NetworkNamespace.DefaultDir, Host.UniqueName("stvbsink"));
        cleanup.Add("sink namespace", () =>
        {
            NetworkNamespace.Remove(sinkNetns);
            return Task.CompletedTask;
        });
        var sink = Host.UniqueName("stvbs");
        await Host.RunAsync("/usr/sbin/ip", "link", "add", sink, "type", "veth", "peer", "name", "sink0", "netns", Path.GetFileName(sinkNetns));
        cleanup.Add("sink link", async () =>
        {
            if (Directory.Exists("/sys/class/net/" + sink))
            {
                await Host.RunAsync("/usr/sbin/ip", "link", "delete", sink);
            }
        });
        await Host.RunAsync("/usr/sbin/ip", "link", "set", sink, "up");
        await Host.RunAsync("/usr/sbin/ip", "route", "add", serviceRange.ToString(), "dev", sink);

        var options = new ServiceProxyOptions
        {
            TableName = "stvbench_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..12],
            NodeName = "bench-node",
            ClusterCidrs = [subnet],
            ServiceCidrs = [serviceRange],
        };
        cleanup.Add("table " + options.TableName, () => ProxyTable.RemoveAsync(options.TableName, CancellationToken.None));
        var vip = Cidr.AddressAt(serviceRange, 1);
        var services = new List<ProxyService>
        {
            new() { Namespace = "bench", Name = "web", ClusterIP = vip, Port = ServicePort, Endpoints = [new ProxyEndpoint(server.Ip, ServerPort, NodeName: "bench-node")] },
        };
        // Neighbours on the node: 999 more Services of 10 endpoints (never contacted).
        services.AddRange(Enumerable.Range(2, 999).Select(i => new ProxyService
        {
            Namespace = "bench",
            Name = "other-" + i.ToString(CultureInfo.InvariantCulture),
            ClusterIP = Cidr.AddressAt(serviceRange, i),
            Port = ServicePort,
            Endpoints = [.. Enumerable.Range(0, 10).Select(j => new ProxyEndpoint(IPAddress.Parse($"10.228.{i / 25}.{i % 25 * 10 + j + 1}"), ServerPort))],
        }));
        var proxy = new ServiceProxy(options);
        proxy.Update(services);
        var sync = await proxy.SyncOnceAsync(cancellationToken);
        if (sync?.Error is { } error)
        {
            throw error;
        }

        await using var http = HttpServer.Start(server.Netns, ServerPort);
        var direct = new IPEndPoint(server.Ip, ServerPort);
        var viaService = new IPEndPoint(vip, ServicePort);

        foreach (var keepAlive in new[] { false, true })
        {
            var mode = keepAlive ? "one kept-alive connection" : "new connection per request";
            var directMedians = new List<double>();
            var serviceMedians = new List<double>();
            var directP99 = new List<double>();
            var serviceP99 = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                var (directSamples, serviceSamples) = await MeasureAsync(client.Netns, direct, viaService, requests, keepAlive, cancellationToken);
                directMedians.Add(Stats.Median(directSamples));
                serviceMedians.Add(Stats.Median(serviceSamples));
                directP99.Add(Stats.Percentile(directSamples, 99));
                serviceP99.Add(Stats.Percentile(serviceSamples, 99));
                Console.Error.WriteLine($"latency ({mode}) run {run + 1}/{runs}: p50/p99 pod IP {Stats.Us(directMedians[^1])}/{Stats.Us(directP99[^1])}, ClusterIP {Stats.Us(serviceMedians[^1])}/{Stats.Us(serviceP99[^1])}");
            }

            var d = Stats.Median(directMedians);
            var s = Stats.Median(serviceMedians);
            var added = (s / d - 1) * 100;
            table.Add($"HTTP GET, {mode}: straight to the pod IP, p50 / p99", $"{Stats.Us(d)} / {Stats.Us(Stats.Median(directP99))}");
            table.Add($"HTTP GET, {mode}: through the ClusterIP, p50 / p99", $"{Stats.Us(s)} / {Stats.Us(Stats.Median(serviceP99))}");
            table.Add($"HTTP GET, {mode}: added by the ClusterIP (p50)", added.ToString("+0.0;-0.0", CultureInfo.InvariantCulture) + " %", "≤ 10 %", added <= 10);
        }
    }

    private static async Task<TestPod> AddPodAsync(CniInvoker invoker, CniNetworkConfigList network, Cleanup cleanup, CancellationToken cancellationToken)
    {
        var id = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var netns = NetworkNamespace.Create(NetworkNamespace.DefaultDir, "stvbench-" + id[..12]);
        var runtime = new CniRuntimeConf { ContainerId = id, NetnsPath = netns };
        cleanup.Add("pod " + id[..12], async () =>
        {
            try
            {
                await invoker.DeleteAsync(network, runtime, null, CancellationToken.None);
                await invoker.DeleteAsync(CniNetworkConfigList.Loopback, runtime with { IfName = "lo" }, null, CancellationToken.None);
            }
            finally
            {
                NetworkNamespace.Remove(netns);
            }
        });
        await invoker.AddAsync(CniNetworkConfigList.Loopback, runtime with { IfName = "lo" }, cancellationToken);
        var result = await invoker.AddAsync(network, runtime, cancellationToken);
        return new TestPod(netns, result.SandboxAddresses("eth0")[0]);
    }

    private static async Task<(List<double> Direct, List<double> Service)> MeasureAsync(string netns, IPEndPoint direct, IPEndPoint service, int requests, bool keepAlive, CancellationToken cancellationToken)
    {
        var directSamples = new List<double>(requests);
        var serviceSamples = new List<double>(requests);
        var warmUp = Math.Min(200, requests / 5);
        if (keepAlive)
        {
            var sockets = NetworkNamespace.Run(netns, () => new[] { NewSocket(), NewSocket() });
            using var toPod = sockets[0];
            using var toService = sockets[1];
            await toPod.ConnectAsync(direct, cancellationToken);
            await toService.ConnectAsync(service, cancellationToken);
            for (var i = -warmUp; i < requests; i++)
            {
                var a = await TimeAsync(() => RequestAsync(toPod, keepAlive: true, cancellationToken));
                var b = await TimeAsync(() => RequestAsync(toService, keepAlive: true, cancellationToken));
                if (i >= 0)
                {
                    directSamples.Add(a);
                    serviceSamples.Add(b);
                }
            }

            return (directSamples, serviceSamples);
        }

        const int Batch = 100;
        for (var start = -warmUp; start < requests; start += Batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(Batch, requests - start);
            // Sockets are made inside the client pod ahead of time (a thread per namespace entry), outside the timed part.
            var sockets = NetworkNamespace.Run(netns, () => Enumerable.Range(0, count * 2).Select(_ => NewSocket()).ToArray());
            for (var i = 0; i < count; i++)
            {
                using var toPod = sockets[2 * i];
                using var toService = sockets[2 * i + 1];
                var a = await TimeAsync(async () =>
                {
                    await toPod.ConnectAsync(direct, cancellationToken);
                    await RequestAsync(toPod, keepAlive: false, cancellationToken);
                });
                var b = await TimeAsync(async () =>
                {
                    await toService.ConnectAsync(service, cancellationToken);
                    await RequestAsync(toService, keepAlive: false, cancellationToken);
                });
                if (start + i >= 0)
                {
                    directSamples.Add(a);
                    serviceSamples.Add(b);
                }
            }
        }

        return (directSamples, serviceSamples);
    }

    private static Socket NewSocket() => new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var start = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static readonly byte[] KeepAliveRequest = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: web\r\n\r\n");
    private static readonly byte[] CloseRequest = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n");

    /// <summary>Sends one GET and reads the whole response (to the end of its body, or to the close).</summary>
    private static async Task RequestAsync(Socket socket, bool keepAlive, CancellationToken cancellationToken)
    {
        await socket.SendAsync(keepAlive ? KeepAliveRequest : CloseRequest, SocketFlags.None, cancellationToken);
        var buffer = new byte[512];
        var total = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                if (total != HttpServer.Response.Length)
                {
                    throw new IOException($"short response ({total} bytes)");
                }

                return;
            }

            total += read;
            if (keepAlive && total == HttpServer.Response.Length)
            {
                return;
            }
        }
    }

    private sealed record TestPod(string Netns, IPAddress Ip);
}

/// <summary>A tiny HTTP/1.1 server listening inside a namespace: one fixed response per request, keep-alive unless asked to close.</summary>
internal sealed class HttpServer : IAsyncDisposable
{
    public static readonly byte[] Response = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    private HttpServer(Socket listener)
    {
        _listener = listener;
        _accept = Task.Run(AcceptAsync);
    }

    public static HttpServer Start(string netns, int port) => new(NetworkNamespace.Run(netns, () =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Any, port));
        socket.Listen(512);
        return socket;
    }));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accept;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            connection.NoDelay = true;
            _ = Task.Run(() => ServeAsync(connection));
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        using (connection)
        {
            var buffer = new byte[4096];
            var filled = 0;
            try
            {
                while (true)
                {
                    var read = await connection.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    filled += read;
                    int end;
                    while ((end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) >= 0)
                    {
                        var close = buffer.AsSpan(0, end).IndexOf("Connection: close"u8) >= 0;
                        await connection.SendAsync(Response, SocketFlags.None, _stop.Token);
                        var consumed = end + 4;
                        buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                        filled -= consumed;
                        if (close)
                        {
                            connection.Shutdown(SocketShutdown.Both);
                            return;
                        }
                    }

                    if (filled == buffer.Length)
                    {
                        return;
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
