using System.Diagnostics;
using ApiServerBench.Infrastructure;
using ApiServerBench.Reporting;

namespace ApiServerBench.Benchmarks;

/// <summary>
/// Maximum sustained create rate: N clients each POST ConfigMaps back to back (closed loop) for a
/// fixed time after a warm-up; repeated for each client count so the plateau is visible.
/// </summary>
public sealed class CreateThroughputBenchmark : IBenchmark
{
    public string Name => "create throughput";

    public async Task RunAsync(BenchRun run, CancellationToken cancellationToken)
    {
        await run.Api.EnsureNamespaceAsync("throughput", cancellationToken);
        var best = 0.0;
        foreach (var clients in run.Settings.ThroughputClients)
        {
            var rate = await MeasureAsync(run, clients, cancellationToken);
            run.Report(Metrics.Throughput(clients), rate);
            best = Math.Max(best, rate);
        }

        run.Report(Metrics.ThroughputPlateau, best);
    }

    private static async Task<double> MeasureAsync(BenchRun run, int clients, CancellationToken cancellationToken)
    {
        const string path = "/api/v1/namespaces/throughput/configmaps";
        var warmup = run.Settings.ThroughputWarmup;
        var end = warmup + run.Settings.ThroughputDuration;
        var start = Stopwatch.GetTimestamp();
        var next = 0;
        var counted = 0;
        var workers = Enumerable.Range(0, clients).Select(async _ =>
        {
            while (Stopwatch.GetElapsedTime(start) < end)
            {
                var name = $"c{clients}-{Interlocked.Increment(ref next)}";
                var ok = await run.Api.CreateAsync(path, Manifests.ConfigMap(name), cancellationToken);
                var at = Stopwatch.GetElapsedTime(start);
                if (!ok)
                {
                    run.CountError();
                }
                else if (at >= warmup && at < end)
                {
                    Interlocked.Increment(ref counted);
                }
            }
        });
        await Task.WhenAll(workers);
        return counted / run.Settings.ThroughputDuration.TotalSeconds;
    }
}
