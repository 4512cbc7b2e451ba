using PodsBench.Infrastructure;
using PodsBench.Measurement;
using PodsBench.Peers;
using PodsBench.Reporting;

namespace PodsBench;

/// <summary>
/// Runs every peer once per run, peers interleaved run by run (so background load hits them alike), each
/// on a fresh setup: a warm-up pod, the sequential pods, the two bursts (helper processes measured while
/// the large one runs), then the idle agent; everything deleted and checked for leftovers in between.
/// </summary>
public sealed class BenchSuite(BenchSettings settings, TestImages images)
{
    public ResultTable Results { get; } = new();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        for (var run = 1; run <= settings.Runs; run++)
        {
            foreach (var name in settings.Peers)
            {
                IPodPeer peer = name switch
                {
                    "stevedore" => new StevedorePeer(settings, images, onContainerd: false),
                    "containerd" => new StevedorePeer(settings, images, onContainerd: true),
                    _ => new PodmanPeer(images),
                };
                Progress.Write($"run {run}/{settings.Runs}: {peer.Name} (load {LoadAverage.Now():0.0})");
                var namespacesBefore = NetworkNamespaces.List();
                var podNamespacesBefore = NetworkNamespaces.ListPodNamespaces();
                var broken = 0;
                try
                {
                    await RunPeerAsync(peer, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // One broken peer must not hide the others' numbers: its column shows what it got to.
                    Progress.Write($"{peer.Name}: FAILED: {ex}");
                    broken = 1;
                }
                finally
                {
                    Results.Add(peer.Name, Metrics.BrokenRuns, broken);
                    await peer.DisposeAsync();
                    // Not removed: another runtime on the machine may be about to use a namespace it just made.
                    var emptyNamespaces = await NetworkNamespaces.EmptySinceAsync(namespacesBefore);
                    List<string> leftovers =
                    [
                        .. peer.Leftovers,
                        .. emptyNamespaces.Select(n => $"network namespace {n} (empty, made during the run)"),
                        .. NetworkNamespaces.PodNamespacesLeftSince(podNamespacesBefore, emptyNamespaces).Select(p => $"pinned pod namespace {p} (made during the run, its pod's network namespace gone or empty)"),
                    ];
                    Results.Add(peer.Name, Metrics.Leftovers, leftovers.Count);
                    foreach (var leftover in leftovers)
                    {
                        Progress.Write($"{peer.Name}: LEFT BEHIND: {leftover}");
                    }
                }
            }
        }
    }

    private async Task RunPeerAsync(IPodPeer peer, CancellationToken cancellationToken)
    {
        await peer.StartAsync(forPods: !settings.OnlyIdle, cancellationToken);
        if (settings.OnlyIdle)
        {
            await MeasureIdleAsync(peer, cancellationToken);
            return;
        }

        var failures = 0;

        // Warm-up: the first pod pays for JIT, the first image mount, the bridge's creation.
        var warmUp = await peer.CreateOneAsync("warm-up", cancellationToken);
        Progress.Write($"{peer.Name}: warm-up pod {Text(warmUp)}");
        await peer.RemoveAllAsync(cancellationToken);

        var latencies = new List<double>();
        for (var i = 0; i < settings.SequentialPods; i++)
        {
            if (await peer.CreateOneAsync($"seq-{i}", cancellationToken) is { } ms)
            {
                latencies.Add(ms);
            }
            else
            {
                failures++;
            }

            if ((i + 1) % 20 == 0)
            {
                Progress.Write($"{peer.Name}: {i + 1} sequential pods, p50 so far {Percentiles.Median(latencies):0} ms (load {LoadAverage.Now():0.0})");
            }
        }

        if (latencies.Count > 0)
        {
            Results.Add(peer.Name, Metrics.CreateP50, Percentiles.Of(latencies, 50));
            Results.Add(peer.Name, Metrics.CreateP99, Percentiles.Of(latencies, 99));
            Progress.Write($"{peer.Name}: sequential p50 {Percentiles.Of(latencies, 50):0} ms, p90 {Percentiles.Of(latencies, 90):0} ms, p99 {Percentiles.Of(latencies, 99):0} ms, max {latencies.Max():0} ms");
            if (peer.StepSummary() is { } steps)
            {
                Progress.Write($"{peer.Name}: sequential steps {steps}");
            }
        }

        await peer.RemoveAllAsync(cancellationToken);

        foreach (var (count, metric) in new[] { (settings.SmallBurst, Metrics.SmallBurst), (settings.LargeBurst, Metrics.LargeBurst) })
        {
            var burst = await peer.CreateManyAsync([.. Enumerable.Range(0, count).Select(i => $"burst{count}-{i}")], cancellationToken);
            Progress.Write($"{peer.Name}: {count} pods at once → all Running in {Text(burst)} (load {LoadAverage.Now():0.0})");
            if (burst is { } ms)
            {
                Results.Add(peer.Name, metric, ms);
            }
            else
            {
                failures++;
            }

            if (metric == Metrics.LargeBurst)
            {
                var helpers = peer.HelperResidentMegabytes();
                Results.Add(peer.Name, Metrics.HelperRss, helpers / count);
                Progress.Write($"{peer.Name}: runtime helper processes of {count} pods: {helpers:0} MiB");
            }

            await peer.RemoveAllAsync(cancellationToken);
        }

        Results.Add(peer.Name, Metrics.Failures, failures);
        if (!settings.SkipIdle)
        {
            await MeasureIdleAsync(peer, cancellationToken);
        }
    }

    private async Task MeasureIdleAsync(IPodPeer peer, CancellationToken cancellationToken)
    {
        if (await peer.MeasureIdleAsync(settings.IdleWindow, cancellationToken) is { } idle)
        {
            Results.Add(peer.Name, Metrics.IdleRss, idle.AgentResidentMegabytes);
            Results.Add(peer.Name, Metrics.IdleCpu, idle.AgentCpuPercent);
            if (idle.RuntimeResidentMegabytes is { } runtime)
            {
                Results.Add(peer.Name, Metrics.RuntimeRss, runtime);
            }

            Progress.Write($"{peer.Name}: idle agent {idle.AgentResidentMegabytes:0} MiB, {idle.AgentCpuPercent:0.00} % of a core over {settings.IdleWindow.TotalSeconds:0} s");
        }
    }

    private static string Text(double? ms) => ms is { } value ? $"{value:0} ms" : "FAILED (not running within 3 min)";
}
