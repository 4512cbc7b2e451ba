using System.Diagnostics;
using ControlPlaneBench.Infrastructure;
using ControlPlaneBench.Measurement;
using ControlPlaneBench.Reporting;

namespace ControlPlaneBench.Scenarios;

/// <summary>
/// Scheduler throughput on N hollow nodes, measured twice on the same cluster with many bare pods
/// (100m CPU / 500Mi each), each batch in its own namespace with a pod watch opened before its
/// first create that notes when each pod gets its <c>spec.nodeName</c>:
/// <list type="number">
/// <item><b>Created meanwhile</b>: the pods are created as fast as the server takes them by a fixed
/// number of clients while the scheduler runs, as in scheduler_perf; throughput = (pods − 1) /
/// (last binding − first binding). It can be no higher than the create rate.</item>
/// <item><b>Backlog</b>: the scheduler is held off (<see cref="SchedulerHold"/>) while the pods are
/// created, then released: it starts a fresh term with every pod pending at once, so the bindings
/// come at the pace of scheduling and binding alone (plus the hollow nodes' status updates,
/// which the server serves meanwhile); throughput = (pods − 1) / (last binding − first binding).</item>
/// </list>
/// </summary>
public static class SchedulerThroughputScenario
{
    private const string Namespace = "sched";
    private const string BacklogNamespace = "backlog";

    public static async Task RunAsync(ScenarioRun run, int nodes, CancellationToken cancellationToken)
    {
        var settings = run.Settings;
        run.Write($"scheduler throughput, {nodes:N0} nodes: starting a fresh server and {nodes:N0} hollow nodes");
        await using var cluster = await BenchCluster.StartAsync(run.Backend, settings, nodes, cancellationToken);
        run.Report(Metrics.NodesReady(nodes), cluster.NodesReadyAfter.TotalSeconds);
        await DeploymentScenario.WarmUpAsync(run, cluster, nodes, cancellationToken);
        await CreatedMeanwhileAsync(run, cluster, nodes, cancellationToken);
        await BacklogAsync(run, cluster, nodes, cancellationToken);
    }

    private static async Task CreatedMeanwhileAsync(ScenarioRun run, BenchCluster cluster, int nodes, CancellationToken cancellationToken)
    {
        var settings = run.Settings;
        var pods = settings.ThroughputPods;
        var hollow = cluster.HollowNodes!;
        await using var batch = await PodBatch.WatchAsync(cluster, Namespace, pods, cancellationToken);
        var serverCpu = ProcessMemory.CpuTime(cluster.Server.ProcessId);
        var hollowCpu = ProcessMemory.CpuTime(hollow.ProcessId);
        var start = Stopwatch.GetTimestamp();
        await batch.CreateAllAsync(run, cancellationToken);
        var createSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        run.Report(Metrics.PodCreateRate(nodes, settings.CreateClients), pods / createSeconds);
        await batch.WaitAllBoundAsync(run, cancellationToken);
        var serverCpuUsed = ProcessMemory.CpuTime(cluster.Server.ProcessId) - serverCpu;
        var hollowCpuUsed = ProcessMemory.CpuTime(hollow.ProcessId) - hollowCpu;

        var bound = batch.Tracker.Bound;
        run.Report(Metrics.SchedulerThroughput(nodes, pods), bound.RatePerSecond(pods));
        run.Report(Metrics.CreateToLastBinding(nodes), bound.SecondsSince(start));
        run.Report(Metrics.ServerCpuScheduling(nodes), serverCpuUsed.TotalSeconds);
        run.Report(Metrics.HollowCpuScheduling(nodes), hollowCpuUsed.TotalSeconds);
        run.Report(Metrics.ServerRssScheduled(nodes), cluster.Server.ResidentMegabytes());
        run.Report(Metrics.HollowRssScheduled(nodes), ProcessMemory.ResidentMegabytes(hollow.ProcessId));
    }

    private static async Task BacklogAsync(ScenarioRun run, BenchCluster cluster, int nodes, CancellationToken cancellationToken)
    {
        var pods = run.Settings.ThroughputPods;
        var hollow = cluster.HollowNodes!;
        await using var batch = await PodBatch.WatchAsync(cluster, BacklogNamespace, pods, cancellationToken);
        await using var hold = await SchedulerHold.TakeAsync(cluster.Api, cancellationToken);
        await batch.CreateAllAsync(run, cancellationToken);
        if (batch.Tracker.BoundCount > 0)
        {
            throw new InvalidOperationException($"{batch.Tracker.BoundCount} pods were bound while the scheduler should have been held off");
        }

        var serverCpu = ProcessMemory.CpuTime(cluster.Server.ProcessId);
        var hollowCpu = ProcessMemory.CpuTime(hollow.ProcessId);
        var released = Stopwatch.GetTimestamp();
        await hold.ReleaseAsync(cancellationToken);
        await batch.WaitAllBoundAsync(run, cancellationToken);
        var serverCpuUsed = ProcessMemory.CpuTime(cluster.Server.ProcessId) - serverCpu;
        var hollowCpuUsed = ProcessMemory.CpuTime(hollow.ProcessId) - hollowCpu;

        var bound = batch.Tracker.Bound;
        run.Report(Metrics.BacklogThroughput(nodes, pods), bound.RatePerSecond(pods));
        run.Report(Metrics.BacklogReleaseToFirstBinding(nodes), Stopwatch.GetElapsedTime(released, bound.First).TotalSeconds);
        run.Report(Metrics.BacklogReleaseToLastBinding(nodes), bound.SecondsSince(released));
        run.Report(Metrics.BacklogServerCpu(nodes), serverCpuUsed.TotalSeconds);
        run.Report(Metrics.BacklogHollowCpu(nodes), hollowCpuUsed.TotalSeconds);
    }

    /// <summary>A namespace of bare pods and the watch that follows them.</summary>
    private sealed class PodBatch : IAsyncDisposable
    {
        private readonly BenchCluster _cluster;
        private readonly string _namespace;
        private readonly CancellationTokenSource _stop;
        private readonly Task _watch;

        private PodBatch(BenchCluster cluster, string ns, PodTracker tracker, CancellationTokenSource stop, Task watch)
        {
            _cluster = cluster;
            _namespace = ns;
            Tracker = tracker;
            _stop = stop;
            _watch = watch;
        }

        public PodTracker Tracker { get; }

        /// <summary>Creates the namespace and opens the pod watch on it.</summary>
        public static async Task<PodBatch> WatchAsync(BenchCluster cluster, string ns, int pods, CancellationToken cancellationToken)
        {
            var resourceVersion = await cluster.Api.CreateAsync("/api/v1/namespaces", Manifests.Namespace(ns), cancellationToken);
            var tracker = new PodTracker(pods);
            var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var watch = cluster.CreateWatchApi().WatchAsync($"/api/v1/namespaces/{ns}/pods", resourceVersion, tracker.Observe, opened, stop.Token, resumed: Progress.Write);
            var batch = new PodBatch(cluster, ns, tracker, stop, watch);
            try
            {
                await opened.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }
            catch
            {
                await batch.DisposeAsync();
                throw;
            }

            return batch;
        }

        /// <summary>Creates every pod with the configured number of clients; throws (counting the failures) unless all were created.</summary>
        public async Task CreateAllAsync(ScenarioRun run, CancellationToken cancellationToken)
        {
            var pods = Tracker.Expected;
            var created = await BulkCreate.RunAsync(_cluster.Api, $"/api/v1/namespaces/{_namespace}/pods", pods, run.Settings.CreateClients, i => Manifests.Pod($"pod-{i}"), cancellationToken);
            if (created < pods)
            {
                for (var i = created; i < pods; i++)
                {
                    run.CountError();
                }

                throw new InvalidOperationException($"only {created} of {pods} pods were created in {_namespace}");
            }
        }

        public Task WaitAllBoundAsync(ScenarioRun run, CancellationToken cancellationToken) =>
            Waiting.UntilAsync(Tracker.AllBound, _watch, () => $"{_namespace}: {Tracker.BoundCount:N0}/{Tracker.Expected:N0} pods bound", run.Settings.StallTimeout, run.Write, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _watch;
            }
            catch (Exception)
            {
                // Stopped on purpose; a failure that mattered was reported while waiting.
            }

            _stop.Dispose();
        }
    }
}
