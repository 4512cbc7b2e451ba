using ApiServerBench.Reporting;

namespace ApiServerBench.Benchmarks;

/// <summary>Resident memory of a freshly started, idle server (VmRSS after a short quiet period).</summary>
public sealed class IdleMemoryBenchmark : IBenchmark
{
    public string Name => "idle RSS";

    public async Task RunAsync(BenchRun run, CancellationToken cancellationToken)
    {
        await Task.Delay(run.Settings.IdleSettle, cancellationToken);
        run.Report(Metrics.RssIdle, run.Server.ResidentMegabytes());
    }
}
