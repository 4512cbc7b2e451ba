using System.Diagnostics;
using ApiServerBench.Infrastructure;
using ApiServerBench.Measurement;
using ApiServerBench.Reporting;

namespace ApiServerBench.Benchmarks;

/// <summary>
/// A full LIST of many pods in one namespace: creates the pods with concurrent clients (reporting
/// that rate too), reads the server's RSS, then times complete unpaginated LIST responses a few times.
/// </summary>
public sealed class LargeListBenchmark : IBenchmark
{
    private const string Collection = "/api/v1/namespaces/listed/pods";

    public string Name => "large LIST";

    public async Task RunAsync(BenchRun run, CancellationToken cancellationToken)
    {
        var settings = run.Settings;
        await run.Api.EnsureNamespaceAsync("listed", cancellationToken);
        var start = Stopwatch.GetTimestamp();
        var created = await BulkCreate.RunAsync(run, Collection, settings.ListPods, settings.PodCreateClients, i => Manifests.Pod($"pod-{i:D5}"), cancellationToken);
        run.Report(Metrics.PodLoadRate(settings.PodCreateClients), created / Stopwatch.GetElapsedTime(start).TotalSeconds);
        run.Report(Metrics.RssAfterPods(settings.ListPods), run.Server.ResidentMegabytes());

        var times = new List<double>();
        long bytes = 0;
        for (var i = 0; i < settings.ListRepeats; i++)
        {
            var listStart = Stopwatch.GetTimestamp();
            bytes = await run.Api.GetAsync(Collection, cancellationToken);
            times.Add(Stopwatch.GetElapsedTime(listStart).TotalMilliseconds);
        }

        run.Report(Metrics.ListTime(settings.ListPods), Percentiles.Median(times));
        run.Report(Metrics.ListSize(settings.ListPods), bytes / 1024.0 / 1024.0);
        run.Report(Metrics.RssAfterList(settings.ListPods), run.Server.ResidentMegabytes());
    }
}
