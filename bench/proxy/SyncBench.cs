using System.Diagnostics;
using System.Globalization;
using System.Net;
using Stevedore.Network;
using Stevedore.Network.Proxy;

namespace ProxyBench;

/// <summary>
/// How long the proxy takes to bring its table to a new state: render + <c>nft -f</c>, for N Services
/// with M endpoints each, on a table of the benchmark's own (no traffic is sent to these addresses).
/// </summary>
internal static class SyncBench
{
    public static async Task RunAsync(ResultTable table, Cleanup cleanup, int serviceCount, int endpointsPerService, int runs, CancellationToken cancellationToken)
    {
        var serviceRange = await Host.FreeNetworkAsync(serviceCount < 250 ? 24 : 22);
        var tableName = "stvbench_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..12];
        cleanup.Add("table " + tableName, () => ProxyTable.RemoveAsync(tableName, CancellationToken.None));
        var options = new ServiceProxyOptions
        {
            TableName = tableName,
            NodeName = "bench-node",
            ClusterCidrs = [Cidr.Parse("10.228.0.0/16", "cluster CIDR")],
            ServiceCidrs = [serviceRange],
            EnsureBridgeNetfilter = false,
        };
        var label = $"{serviceCount:N0} Services × {endpointsPerService} endpoints";
        var services = Build(serviceCount, endpointsPerService, serviceRange, affinity: false);

        var full = new List<double>();
        var render = new List<double>();
        var lines = 0;
        ProxyTable current = null!;
        for (var run = 0; run < runs; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await ProxyTable.RemoveAsync(tableName, cancellationToken);
            current = new ProxyTable(tableName);
            var watch = Stopwatch.StartNew();
            var rules = ProxyRenderer.Render(services, options);
            render.Add(watch.Elapsed.TotalMilliseconds);
            var result = await current.ApplyAsync(rules, cancellationToken);
            full.Add(watch.Elapsed.TotalMilliseconds);
            lines = result.ScriptLines;
            Progress($"full sync {run + 1}/{runs}: {full[^1]:0} ms ({rules.Chains.Count:N0} chains, {rules.RuleCount:N0} rules, {lines:N0} script lines)");
        }

        var fullMedian = Stats.Median(full);
        table.Add($"full sync, {label} (render + nft, fresh table)", Stats.Ms(fullMedian), "≤ 1 s", fullMedian <= 1000);
        table.Add("  of which rendering", Stats.Ms(Stats.Median(render)));
        var warm = new List<double>();
        for (var sample = 0; sample < runs * 4; sample++)
        {
            var watch = Stopwatch.StartNew();
            var script = NftScript.Full(tableName, ProxyRenderer.Render(services, options));
            warm.Add(watch.Elapsed.TotalMilliseconds);
            GC.KeepAlive(script);
        }

        table.Add("  rendering + script text alone, warm", Stats.Ms(Stats.Median(warm)));
        table.Add("  nft script", $"{lines:N0} lines");

        // Incremental: one endpoint of one Service replaced (a pod rescheduled), over the full table.
        var one = new List<double>();
        for (var sample = 0; sample < runs * 5; sample++)
        {
            services[sample % serviceCount] = Replace(services[sample % serviceCount], 0, sample);
            one.Add(await TimeSyncAsync(current, services, options, incrementalExpected: true, cancellationToken));
        }

        table.Add("incremental sync, 1 endpoint of 1 Service changed", Stats.Ms(Stats.Median(one)));

        var hundred = new List<double>();
        for (var sample = 0; sample < runs; sample++)
        {
            for (var i = 0; i < 100; i++)
            {
                var index = (sample * 100 + i) % serviceCount;
                services[index] = Replace(services[index], 1, sample + 1000);
            }

            hundred.Add(await TimeSyncAsync(current, services, options, incrementalExpected: true, cancellationToken));
        }

        table.Add("incremental sync, 100 Services changed", Stats.Ms(Stats.Median(hundred)));

        var removed = new List<double>();
        for (var sample = 0; sample < runs; sample++)
        {
            var without = services.Where((_, i) => i != sample).ToList();
            removed.Add(await TimeSyncAsync(current, without, options, incrementalExpected: true, cancellationToken));
            await TimeSyncAsync(current, services, options, incrementalExpected: true, cancellationToken);
        }

        table.Add("incremental sync, 1 Service deleted", Stats.Ms(Stats.Median(removed)));

        var noop = new List<double>();
        for (var sample = 0; sample < runs * 5; sample++)
        {
            noop.Add(await TimeSyncAsync(current, services, options, incrementalExpected: false, cancellationToken));
        }

        table.Add("sync with nothing changed (render + diff, no nft)", Stats.Ms(Stats.Median(noop)));

        // Session affinity on every Service: a chain and a timed set per endpoint, so far more kernel objects.
        var affinity = Build(serviceCount, endpointsPerService, serviceRange, affinity: true);
        var affinityFull = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            await ProxyTable.RemoveAsync(tableName, cancellationToken);
            var fresh = new ProxyTable(tableName);
            var watch = Stopwatch.StartNew();
            await fresh.ApplyAsync(ProxyRenderer.Render(affinity, options), cancellationToken);
            affinityFull.Add(watch.Elapsed.TotalMilliseconds);
            Progress($"full sync with affinity {run + 1}/{runs}: {affinityFull[^1]:0} ms");
        }

        table.Add($"full sync, {label}, all with session affinity", Stats.Ms(Stats.Median(affinityFull)));
        await ProxyTable.RemoveAsync(tableName, cancellationToken);
    }

    private static async Task<double> TimeSyncAsync(ProxyTable table, IReadOnlyCollection<ProxyService> services, ServiceProxyOptions options, bool incrementalExpected, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var watch = Stopwatch.StartNew();
        var result = await table.ApplyAsync(ProxyRenderer.Render(services, options), cancellationToken);
        var elapsed = watch.Elapsed.TotalMilliseconds;
        if (result.Full || result.Changed != incrementalExpected)
        {
            throw new InvalidOperationException($"expected an {(incrementalExpected ? "incremental" : "empty")} sync, got full={result.Full} changed={result.Changed}");
        }

        return elapsed;
    }

    private static List<ProxyService> Build(int count, int endpoints, IPNetwork serviceRange, bool affinity) =>
        [.. Enumerable.Range(0, count).Select(i => new ProxyService
        {
            Namespace = "bench",
            Name = "svc-" + i.ToString("D4", CultureInfo.InvariantCulture),
            PortName = "http",
            ClusterIP = Cidr.AddressAt(serviceRange, i + 1),
            Port = 80,
            SessionAffinityTimeout = affinity ? TimeSpan.FromMinutes(30) : null,
            Endpoints = [.. Enumerable.Range(0, endpoints).Select(j => new ProxyEndpoint(EndpointAddress(228, i * endpoints + j), 8080, NodeName: "bench-node"))],
        })];

    /// <summary>The service with endpoint <paramref name="slot"/> moved to a new address (as when its pod is replaced).</summary>
    private static ProxyService Replace(ProxyService service, int slot, int generation)
    {
        var endpoints = service.Endpoints.ToArray();
        endpoints[slot] = endpoints[slot] with { Address = EndpointAddress(229, generation) };
        return service with { Endpoints = endpoints };
    }

    private static IPAddress EndpointAddress(int second, int index) => IPAddress.Parse($"10.{second}.{index / 250 % 256}.{index % 250 + 1}");

    private static void Progress(string message) => Console.Error.WriteLine(message);
}
