using ApiServerBench.Infrastructure;
using ApiServerBench.Reporting;

namespace ApiServerBench.Benchmarks;

/// <summary>
/// Cold start: process start → first 200 on /readyz over HTTPS (admin credentials from the
/// kubeconfig the server writes), each time with a fresh data folder, and on etcd with a fresh
/// etcd (whose own start-up is not timed). Every start is one sample.
/// </summary>
public static class ColdStartBenchmark
{
    public static async Task RunAsync(Backend backend, BenchSettings settings, ResultSet results, CancellationToken cancellationToken)
    {
        for (var i = 1; i <= settings.ColdStarts; i++)
        {
            await using var target = await BackendTarget.StartAsync(backend, settings, cancellationToken);
            var milliseconds = target.Server.TimeToReady.TotalMilliseconds;
            results.Add(backend, Metrics.ColdStart, milliseconds);
            Progress.Write($"{ResultTable.Name(backend)} cold start {i}: {milliseconds:F0} ms");
        }
    }
}
