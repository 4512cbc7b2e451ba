using System.Diagnostics;
using ControlPlaneBench.Infrastructure;
using ControlPlaneBench.Measurement;
using ControlPlaneBench.Reporting;

namespace ControlPlaneBench.Scenarios;

/// <summary>
/// Scheduler throughput: N hollow nodes, then many bare pods (100m CPU / 500Mi each) created as fast
/// as the server takes them by a fixed number of clients. A pod watch opened before the first create
/// notes when each pod gets its <c>spec.nodeName</c>; throughput = (pods − 1) / (last binding − first
/// binding), as seen by the watch.
/// </summary>
public static class SchedulerThroughputScenario
{
    private const string Namespace = "sched";

    public static async Task RunAsync(ScenarioRun run, int nodes, CancellationToken cancellationToken)
    {
        var settings = run.Settings;
        var pods = settings.ThroughputPods;
        run.Write($"scheduler throughput, {nodes:N0} nodes: starting a fresh server and {nodes:N0} hollow nodes");
        await using var cluster = await BenchCluster.StartAsync(run.Backend, settings, nodes, cancellationToken);
        run.Report(Metrics.NodesReady(nodes), cluster.NodesReadyAfter.TotalSeconds);
        var hollow = cluster.HollowNodes!;
        await DeploymentScenario.WarmUpAsync(run, cluster, nodes, cancellationToken);

        var resourceVersion = await cluster.Api.CreateAsync("/api/v1/namespaces", Manifests.Namespace(Namespace), cancellationToken);
        var tracker = new PodTracker(pods);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = cluster.CreateWatchApi().WatchAsync($"/api/v1/namespaces/{Namespace}/pods", resourceVersion, tracker.Observe, opened, stop.Token);
        try
        {
            await opened.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            var serverCpu = ProcessMemory.CpuTime(cluster.Server.ProcessId);
            var hollowCpu = ProcessMemory.CpuTime(hollow.ProcessId);
            var start = Stopwatch.GetTimestamp();
            var creating = BulkCreate.RunAsync(cluster.Api, $"/api/v1/namespaces/{Namespace}/pods", pods, settings.CreateClients, i => Manifests.Pod($"pod-{i}"), cancellationToken);
            var created = await creating;
            var createSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (created < pods)
            {
                for (var i = created; i < pods; i++)
                {
                    run.CountError();
                }

                throw new InvalidOperationException($"only {created} of {pods} pods were created");
            }

            run.Report(Metrics.PodCreateRate(nodes, settings.CreateClients), pods / createSeconds);
            await Waiting.UntilAsync(
                tracker.AllBound, watch, () => $"{tracker.BoundCount:N0}/{pods:N0} pods bound", settings.StallTimeout, run.Write, cancellationToken);
            var serverCpuUsed = ProcessMemory.CpuTime(cluster.Server.ProcessId) - serverCpu;
            var hollowCpuUsed = ProcessMemory.CpuTime(hollow.ProcessId) - hollowCpu;

            run.Report(Metrics.SchedulerThroughput(nodes, pods), tracker.Bound.RatePerSecond(pods));
            run.Report(Metrics.CreateToLastBinding(nodes), tracker.Bound.SecondsSince(start));
            run.Report(Metrics.ServerCpuScheduling(nodes), serverCpuUsed.TotalSeconds);
            run.Report(Metrics.HollowCpuScheduling(nodes), hollowCpuUsed.TotalSeconds);
            run.Report(Metrics.ServerRssScheduled(nodes), cluster.Server.ResidentMegabytes());
            run.Report(Metrics.HollowRssScheduled(nodes), ProcessMemory.ResidentMegabytes(hollow.ProcessId));
        }
        finally
        {
            await stop.CancelAsync();
            await Ignore(watch);
        }
    }

    private static async Task Ignore(Task watch)
    {
        try
        {
            await watch;
        }
        catch (Exception)
        {
            // Stopped on purpose; a failure that mattered was reported while waiting.
        }
    }
}
