using System.Diagnostics;
using ApiServerBench.Infrastructure;
using ApiServerBench.Measurement;
using ApiServerBench.Reporting;

namespace ApiServerBench.Benchmarks;

/// <summary>GET latency of existing objects: one client reads ConfigMaps one after another, round robin.</summary>
public sealed class GetLatencyBenchmark : IBenchmark
{
    public string Name => "GET latency";

    public async Task RunAsync(BenchRun run, CancellationToken cancellationToken)
    {
        var settings = run.Settings;
        await run.Api.EnsureNamespaceAsync("reads", cancellationToken);
        await BulkCreate.RunAsync(run, "/api/v1/namespaces/reads/configmaps", settings.GetObjects, 8, i => Manifests.ConfigMap($"cm-{i}"), cancellationToken);

        var recorder = new LatencyRecorder();
        for (var i = -settings.Warmup; i < settings.GetRequests; i++)
        {
            var path = $"/api/v1/namespaces/reads/configmaps/cm-{(i + settings.Warmup) % settings.GetObjects}";
            var start = Stopwatch.GetTimestamp();
            await run.Api.GetAsync(path, cancellationToken);
            if (i >= 0)
            {
                recorder.RecordSince(start);
            }
        }

        run.Report(Metrics.GetP50, recorder.Percentile(50));
        run.Report(Metrics.GetP99, recorder.Percentile(99));
    }
}
