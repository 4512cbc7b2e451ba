using ApiServerBench.Benchmarks;
using ApiServerBench.Infrastructure;
using ApiServerBench.Reporting;

namespace ApiServerBench;

/// <summary>
/// Runs every benchmark on both backends. Each run starts a fresh server (and, for etcd, a fresh
/// etcd); runs alternate between backends so background load on the machine hits both alike.
/// </summary>
public sealed class BenchSuite(BenchSettings settings)
{
    public static readonly IReadOnlyList<Backend> Backends = [Backend.Sqlite, Backend.Etcd];

    /// <summary>In order: idle memory is read before anything is written; the big LIST runs before other objects pile up.</summary>
    private static readonly IReadOnlyList<IBenchmark> PerRun =
    [
        new IdleMemoryBenchmark(),
        new LargeListBenchmark(),
        new CreateLatencyBenchmark(),
        new CreateThroughputBenchmark(),
        new GetLatencyBenchmark(),
        new WatchFanoutBenchmark(),
    ];

    public async Task<ResultSet> RunAsync(CancellationToken cancellationToken)
    {
        var results = new ResultSet();
        for (var index = 1; index <= settings.Runs; index++)
        {
            foreach (var backend in Backends)
            {
                await RunOnceAsync(backend, index, results, cancellationToken);
            }
        }

        foreach (var backend in Backends)
        {
            await ColdStartBenchmark.RunAsync(backend, settings, results, cancellationToken);
        }

        return results;
    }

    private async Task RunOnceAsync(Backend backend, int index, ResultSet results, CancellationToken cancellationToken)
    {
        Progress.Write($"{ResultTable.Name(backend)} run {index}: starting a fresh server");
        await using var target = await BackendTarget.StartAsync(backend, settings, cancellationToken);
        var run = new BenchRun(backend, index, target.Server, settings, results);
        foreach (var benchmark in PerRun)
        {
            try
            {
                await benchmark.RunAsync(run, cancellationToken);
                Progress.Write($"{ResultTable.Name(backend)} run {index}: {benchmark.Name} done, {target.Server.Connection.ConnectionsOpened} client connections opened so far");
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // One broken benchmark must not hide the others' numbers; the table shows the error count.
                Progress.Write($"{ResultTable.Name(backend)} run {index}: {benchmark.Name} failed: {ex.Message}");
                run.CountError();
            }
        }

        run.Report(Metrics.Errors, run.Errors);
    }
}
