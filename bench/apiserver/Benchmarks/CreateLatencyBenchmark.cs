using System.Diagnostics;
using ApiServerBench.Infrastructure;
using ApiServerBench.Measurement;
using ApiServerBench.Reporting;

namespace ApiServerBench.Benchmarks;

/// <summary>
/// Single-object create latency under a steady offered load (open loop): ConfigMaps are POSTed on
/// a fixed schedule whatever the server's pace, and each latency runs from the request's
/// scheduled send time to its full response, so a stalled server shows up in the tail instead of
/// silently slowing the sender down (no coordinated omission).
/// </summary>
public sealed class CreateLatencyBenchmark : IBenchmark
{
    public string Name => "create latency";

    public async Task RunAsync(BenchRun run, CancellationToken cancellationToken)
    {
        var settings = run.Settings;
        await run.Api.EnsureNamespaceAsync("latency", cancellationToken);
        const string path = "/api/v1/namespaces/latency/configmaps";
        await BulkCreate.RunAsync(run, path, settings.Warmup, 4, i => Manifests.ConfigMap($"warm-{i}"), cancellationToken);

        var recorder = new LatencyRecorder();
        var total = (int)(settings.CreateRate * settings.CreateDuration.TotalSeconds);
        var ticksPerRequest = Stopwatch.Frequency / (double)settings.CreateRate;
        var requests = new List<Task>(total);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total;)
        {
            var due = Math.Min(total, (int)(Stopwatch.GetElapsedTime(start).TotalSeconds * settings.CreateRate) + 1);
            for (; i < due; i++)
            {
                requests.Add(CreateAsync(run, path, $"cm-{i}", start + (long)(i * ticksPerRequest), recorder, cancellationToken));
            }

            await Task.Delay(1, cancellationToken);
        }

        await Task.WhenAll(requests);
        var elapsed = Stopwatch.GetElapsedTime(start);
        run.Report(Metrics.CreateP50(settings.CreateRate), recorder.Percentile(50));
        run.Report(Metrics.CreateP99(settings.CreateRate), recorder.Percentile(99));
        run.Report(Metrics.CreateAchieved(settings.CreateRate), recorder.Count / elapsed.TotalSeconds);
    }

    private static async Task CreateAsync(BenchRun run, string path, string name, long scheduled, LatencyRecorder recorder, CancellationToken cancellationToken)
    {
        if (await run.Api.CreateAsync(path, Manifests.ConfigMap(name), cancellationToken))
        {
            recorder.RecordSince(scheduled);
        }
        else
        {
            run.CountError();
        }
    }
}
