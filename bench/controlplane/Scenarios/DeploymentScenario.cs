using System.Diagnostics;
using System.Text.Json;
using ControlPlaneBench.Infrastructure;
using ControlPlaneBench.Measurement;
using ControlPlaneBench.Reporting;

namespace ControlPlaneBench.Scenarios;

/// <summary>
/// A Deployment of many replicas on a few hollow nodes, twice on the same fresh server: first
/// while the server still compiles its code paths (cold), then again in another namespace (warm).
/// Each is timed from its POST until its status says every replica is updated and available (as
/// seen on a Deployment watch), with the pods' milestones on the way (created by the ReplicaSet
/// controller, bound by the scheduler, Ready as reported by the hollow nodes) from a pod watch,
/// the server's CPU time over that span and the resident memory of both processes afterwards.
/// </summary>
public static class DeploymentScenario
{
    private const string Name = "web";
    private const string WarmupNamespace = "warmup";

    public static async Task RunAsync(ScenarioRun run, CancellationToken cancellationToken)
    {
        var settings = run.Settings;
        var nodes = settings.DeploymentNodes;
        var replicas = settings.DeploymentReplicas;
        run.Write($"Deployment of {replicas:N0}: starting a fresh server and {nodes:N0} hollow nodes");
        await using var cluster = await BenchCluster.StartAsync(run.Backend, settings, nodes, cancellationToken);
        run.Report(Metrics.NodesReady(nodes), cluster.NodesReadyAfter.TotalSeconds);
        foreach (var round in new[] { "1st", "2nd" })
        {
            var outcome = await DeployAsync(run, cluster, $"deploy-{round}", replicas, cancellationToken);
            run.Report(Metrics.DeploymentCreated(replicas, round), outcome.Pods.Created.SecondsSince(outcome.Start));
            run.Report(Metrics.DeploymentBound(replicas, round), outcome.Pods.Bound.SecondsSince(outcome.Start));
            run.Report(Metrics.DeploymentReady(replicas, round), outcome.Pods.Ready.SecondsSince(outcome.Start));
            run.Report(Metrics.DeploymentAvailable(replicas, nodes, round), outcome.Seconds);
            run.Report(Metrics.DeploymentServerCpu(replicas, round), outcome.ServerCpu.TotalSeconds);
            run.Report(Metrics.DeploymentServerRss(replicas, round), cluster.Server.ResidentMegabytes());
            run.Report(Metrics.DeploymentHollowRss(replicas, round), ProcessMemory.ResidentMegabytes(cluster.HollowNodes!.ProcessId));
        }
    }

    /// <summary>
    /// A Deployment in its own namespace, created and awaited before the scheduler throughput is
    /// measured, so that measurement sees a warmed-up server. Reports how long it took (cold).
    /// </summary>
    public static async Task WarmUpAsync(ScenarioRun run, BenchCluster cluster, int nodes, CancellationToken cancellationToken)
    {
        var replicas = run.Settings.WarmupPods;
        if (replicas > 0)
        {
            var outcome = await DeployAsync(run, cluster, WarmupNamespace, replicas, cancellationToken);
            run.Report(Metrics.WarmupAvailable(replicas, nodes), outcome.Seconds);
        }
    }

    private static async Task<Outcome> DeployAsync(ScenarioRun run, BenchCluster cluster, string ns, int replicas, CancellationToken cancellationToken)
    {
        var resourceVersion = await cluster.Api.CreateAsync("/api/v1/namespaces", Manifests.Namespace(ns), cancellationToken);
        var pods = new PodTracker(replicas);
        var available = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watchApi = cluster.CreateWatchApi();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var podsOpened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deploymentOpened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var podWatch = watchApi.WatchAsync($"/api/v1/namespaces/{ns}/pods", resourceVersion, pods.Observe, podsOpened, stop.Token);
        var deploymentWatch = watchApi.WatchAsync(
            $"/apis/apps/v1/namespaces/{ns}/deployments", resourceVersion, e => !ObserveDeployment(e, replicas, available), deploymentOpened, stop.Token);
        try
        {
            await Task.WhenAll(podsOpened.Task, deploymentOpened.Task).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            var serverCpu = ProcessMemory.CpuTime(cluster.Server.ProcessId);
            var start = Stopwatch.GetTimestamp();
            await cluster.Api.CreateAsync($"/apis/apps/v1/namespaces/{ns}/deployments", Manifests.Deployment(Name, replicas), cancellationToken);
            await Waiting.UntilAsync(
                available.Task,
                deploymentWatch,
                () => $"{ns}: {pods.CreatedCount:N0} created, {pods.BoundCount:N0} bound, {pods.ReadyCount:N0} Ready of {replicas:N0}",
                run.Settings.StallTimeout,
                run.Write,
                cancellationToken);
            var availableAt = await available.Task;
            return new Outcome(start, Stopwatch.GetElapsedTime(start, availableAt).TotalSeconds, pods, ProcessMemory.CpuTime(cluster.Server.ProcessId) - serverCpu);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var watch in new[] { podWatch, deploymentWatch })
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
    }

    /// <summary>True (and the arrival time set) once the Deployment reports every replica updated and available.</summary>
    private static bool ObserveDeployment(JsonElement watchEvent, int replicas, TaskCompletionSource<long> available)
    {
        var arrived = Stopwatch.GetTimestamp();
        var deployment = watchEvent.GetProperty("object");
        if (!deployment.TryGetProperty("status", out var status))
        {
            return false;
        }

        var generation = deployment.GetProperty("metadata").TryGetProperty("generation", out var g) ? g.GetInt64() : 0;
        var done = Count(status, "observedGeneration") >= generation
            && Count(status, "updatedReplicas") == replicas
            && Count(status, "availableReplicas") == replicas
            && Count(status, "replicas") == replicas;
        if (done)
        {
            available.TrySetResult(arrived);
        }

        return done;
    }

    private static long Count(JsonElement status, string field) => status.TryGetProperty(field, out var value) ? value.GetInt64() : 0;

    private sealed record Outcome(long Start, double Seconds, PodTracker Pods, TimeSpan ServerCpu);
}
