using System.Diagnostics;
using System.Globalization;
using System.Net;
using k8s;
using Stevedore.Client.Connecting;

namespace DnsBench;

/// <summary>
/// The whole benchmark: a published <c>stevedore server</c> (control plane only) on loopback, the
/// Services loaded through its API, the DNS side in a child process fed by informers, then the
/// C# load generator and dnsperf in turns against it, closed loop and at the goal rate.
/// </summary>
public static class BenchSuite
{
    public static async Task<Results> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var results = new Results(settings);
        var work = Directory.CreateTempSubdirectory("stevedore-bench-dns-").FullName;
        Process? server = null;
        Process? dns = null;
        try
        {
            Progress.Write($"starting stevedore server --disable-agent in {work}");
            server = StartServer(settings.Binary, work);
            using var client = await ConnectAsync(work, server, cancellationToken);

            Progress.Write($"creating {settings.Services:N0} Services with {settings.EndpointsPerService} endpoints each");
            var loading = Stopwatch.StartNew();
            await ClusterLoader.LoadAsync(client, settings, cancellationToken);
            Progress.Write($"created in {loading.Elapsed.TotalSeconds:F1} s");

            var port = FreeUdpAndTcpPort();
            var endpoint = new IPEndPoint(IPAddress.Loopback, port);
            // kubernetes and kube-dns are Services too.
            var expected = settings.Services + 2;
            dns = StartDns(Path.Combine(work, "kubeconfig.yaml"), port, expected);
            var ready = await ReadLineAsync(dns, "ready", cancellationToken);
            results.Single["records ready after start (informers list + first build)"] = (double.Parse(ready[1], CultureInfo.InvariantCulture), "ms");
            results.Single["names in the zone"] = (double.Parse(ready[2], CultureInfo.InvariantCulture), "count");
            results.Single["rebuild of every Service's records (map + build)"] = (double.Parse((await ReadLineAsync(dns, "rebuild", cancellationToken))[1], CultureInfo.InvariantCulture), "ms");
            results.Single["rebuild after a change (unchanged Services reused)"] = (double.Parse((await ReadLineAsync(dns, "merge", cancellationToken))[1], CultureInfo.InvariantCulture), "ms");
            results.Single["DNS process RSS (informer caches + records)"] = (double.Parse((await ReadLineAsync(dns, "rss", cancellationToken))[1], CultureInfo.InvariantCulture), "MiB");

            var mix = QueryMix.Build(settings);
            var queryFile = Path.Combine(work, "queries.txt");
            QueryMix.WriteDnsperfFile(mix, queryFile);
            var generator = new LoadGenerator(endpoint, mix);
            Progress.Write("warming up (2 s)");
            generator.ClosedLoop(settings.Sockets, settings.InFlightPerSocket, TimeSpan.FromSeconds(2));
            var inFlight = settings.Sockets * settings.InFlightPerSocket;
            for (var run = 1; run <= settings.Runs; run++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Progress.Write($"run {run}/{settings.Runs}: C# closed loop ({inFlight} in flight)");
                results.CsharpClosed.Add(generator.ClosedLoop(settings.Sockets, settings.InFlightPerSocket, settings.Duration));
                Progress.Write($"run {run}/{settings.Runs}: C# open loop at {settings.Rate:N0}/s");
                results.CsharpOpen.Add(generator.OpenLoop(settings.Sockets, settings.Rate, settings.Duration));
                if (Dnsperf.Available)
                {
                    Progress.Write($"run {run}/{settings.Runs}: dnsperf closed loop ({inFlight} in flight)");
                    results.DnsperfClosed.Add((await Dnsperf.RunAsync(endpoint, queryFile, settings.Duration, settings.Sockets, inFlight, null, cancellationToken))!);
                    Progress.Write($"run {run}/{settings.Runs}: dnsperf at {settings.Rate:N0}/s");
                    results.DnsperfOpen.Add((await Dnsperf.RunAsync(endpoint, queryFile, settings.Duration, settings.Sockets, inFlight, settings.Rate, cancellationToken))!);
                }

                Progress.Write($"run {run}: C# {results.CsharpClosed[^1].AnsweredPerSecond:N0}/s closed, p99 {results.CsharpOpen[^1].P99Ms:F2} ms at {settings.Rate:N0}/s"
                    + (Dnsperf.Available ? $"; dnsperf {results.DnsperfClosed[^1].AnsweredPerSecond:N0}/s closed" : ""));
            }

            return results;
        }
        finally
        {
            if (dns is not null)
            {
                await ChildProcesses.StopAsync(dns);
            }

            if (server is not null)
            {
                await ChildProcesses.StopAsync(server);
            }

            Directory.Delete(work, recursive: true);
        }
    }

    private static Process StartServer(string binary, string dataDir)
    {
        // Output to a file through exec (the server logs each request); the working directory is its own empty folder.
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = dataDir };
        info.Environment["STEVEDORE_BENCH_LOG"] = Path.Combine(dataDir, "server.log");
        foreach (var argument in new[] { "-c", "exec \"$0\" \"$@\" > \"$STEVEDORE_BENCH_LOG\" 2>&1", binary, "server", "--data-dir", dataDir,
            "--listen", $"127.0.0.1:{FreeUdpAndTcpPort()}", "--disable-agent" })
        {
            info.ArgumentList.Add(argument);
        }

        return ChildProcesses.Start(info);
    }

    private static async Task<IKubernetes> ConnectAsync(string dataDir, Process server, CancellationToken cancellationToken)
    {
        var kubeconfig = Path.Combine(dataDir, "kubeconfig.yaml");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"stevedore server exited: {File.ReadAllText(Path.Combine(dataDir, "server.log"))}");
            }

            if (File.Exists(kubeconfig))
            {
                var client = ClusterConnection.FromKubeconfig(kubeconfig);
                try
                {
                    await client.CoreV1.ListNamespaceAsync(cancellationToken: cancellationToken);
                    return client;
                }
                catch (HttpRequestException)
                {
                    client.Dispose();
                }
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new InvalidOperationException("stevedore server was not ready within 60 s");
    }

    private static Process StartDns(string kubeconfig, int port, int expected)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "dns-bench"))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        foreach (var argument in new[] { "serve", "--kubeconfig", kubeconfig, "--port", port.ToString(CultureInfo.InvariantCulture), "--expect", expected.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        return ChildProcesses.Start(info);
    }

    private static async Task<string[]> ReadLineAsync(Process process, string tag, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            var fields = line.Split(' ');
            if (fields[0] == tag)
            {
                return fields;
            }
        }

        throw new InvalidOperationException($"the DNS process ended before printing \"{tag}\"");
    }

    /// <summary>A loopback port free for both UDP and TCP right now.</summary>
    private static int FreeUdpAndTcpPort()
    {
        while (true)
        {
            using var udp = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
        }
    }
}
