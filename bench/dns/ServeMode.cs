using System.Diagnostics;
using System.Globalization;
using System.Net;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Stevedore.Client.Connecting;
using Stevedore.Client.Informers;
using Stevedore.Kubelet.Dns;
using Stevedore.Network.Dns;
using Stevedore.Network.Dns.Server;

namespace DnsBench;

/// <summary>
/// <c>dns-bench serve --kubeconfig K --port P --expect N</c>: the DNS side in a process of its own,
/// built from the agent's real parts: shared informers on Services and EndpointSlices, the
/// <see cref="ClusterDnsController"/> and the <see cref="DnsServer"/>, here on 127.0.0.1:P (the
/// agent binds the cluster DNS address on a link of its own; that needs root and is what the node
/// tests check). Prints <c>ready MS NAMES</c> once N Services are served, <c>rebuild MS</c>,
/// <c>rss MIB</c>, then serves until its standard input closes.
/// </summary>
public static class ServeMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? kubeconfig = null;
        var port = 0;
        var expect = 0;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--kubeconfig":
                    kubeconfig = args[i + 1];
                    break;
                case "--port":
                    port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--expect":
                    expect = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
            }
        }

        if (kubeconfig is null || port == 0)
        {
            Console.Error.WriteLine("usage: dns-bench serve --kubeconfig FILE --port PORT --expect SERVICES");
            return 2;
        }

        var started = Stopwatch.StartNew();
        using var client = ClusterConnection.FromKubeconfig(kubeconfig);
        using var stop = new CancellationTokenSource();
        await using var informers = new SharedInformerFactory(client);
        var store = new DnsRecordStore();
        var zone = new DnsZoneOptions();
        var controller = new ClusterDnsController(informers, store, zone, TimeProvider.System, NullLogger.Instance);
        informers.Start(stop.Token);
        var run = Task.Run(() => controller.RunAsync(stop.Token));
        await using var server = DnsServer.Start(new DnsServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, port), Zone = zone }, store);
        while (store.Current is not { } current || current.Services < expect)
        {
            await Task.Delay(10);
        }

        Console.WriteLine($"ready {started.Elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)} {store.Current!.Names}");

        // A full rebuild from the caches, as the controller does after a change (mapping + building, not publishing).
        var times = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            var clock = Stopwatch.StartNew();
            var services = DnsRecordMapping.Map(informers.GetLister<V1Service>().List(), informers.GetLister<V1EndpointSlice>().List());
            DnsSnapshotBuilder.Build(zone, services, (uint)i);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"rebuild {times.Order().ElementAt(times.Count / 2).ToString("F1", CultureInfo.InvariantCulture)}");

        // What the controller does after a change: unchanged Services' records are reused, the rest merged.
        times.Clear();
        for (var i = 0; i < 7; i++)
        {
            var clock = Stopwatch.StartNew();
            controller.Rebuild();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"merge {times.Order().ElementAt(times.Count / 2).ToString("F1", CultureInfo.InvariantCulture)}");
        GC.Collect();
        Console.WriteLine($"rss {(Environment.WorkingSet / 1048576.0).ToString("F0", CultureInfo.InvariantCulture)}");
        Console.Out.Flush();

        // Serve until the benchmark closes our standard input.
        await Console.In.ReadToEndAsync();
        await stop.CancelAsync();
        await run;
        return 0;
    }
}
