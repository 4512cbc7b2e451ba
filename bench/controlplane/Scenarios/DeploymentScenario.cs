using System.Diagnostics;
using System.Text.Json;
using ControlPlaneBench.Infrastructure;
using ControlPlaneBench.Measurement;
using ControlPlaneBench.Reporting;

namespace ControlPlaneBench.Scenarios;

/// <summary>
/// One Deployment of many replicas on a few hollow nodes: the time from its POST until its status
/// says every replica is updated and available (as seen on a Deployment watch), with the pods'
/// milestones on the way (created by the ReplicaSet controller, bound by the scheduler, Ready as
/// reported by the hollow nodes) from a pod watch. Then the resident memory of both processes.
/// </summary>
public static class DeploymentScenario
{
    private const string Namespace = "deploy";
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
        var hollow = cluster.HollowNodes!;
        await WarmUpAsync(run, cluster, nodes, cancellationToken);

        var resourceVersion = await cluster.Api.CreateAsync("/api/v1/namespaces", Manifests.Namespace(Namespace), cancellationToken);
        var pods = new PodTracker(replicas);
        var available = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watchApi = cluster.CreateWatchApi();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var podsOpened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deploymentOpened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var podWatch = watchApi.WatchAsync($"/api/v1/namespaces/{Namespace}/pods", resourceVersion, pods.Observe, podsOpened, stop.Token);
        var deploymentWatch = watchApi.WatchAsync(
            $"/apis/apps/v1/namespaces/{Namespace}/deployments", resourceVersion, e => !ObserveDeployment(e, replicas, available), deploymentOpened, stop.Token);
        try
        {
            await Task.WhenAll(podsOpened.Task, deploymentOpened.Task).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            var serverCpu = ProcessMemory.CpuTime(cluster.Server.ProcessId);
            var start = Stopwatch.GetTimestamp();
            await cluster.Api.CreateAsync($"/apis/apps/v1/namespaces/{Namespace}/deployments", Manifests.Deployment(Name, replicas), cancellationToken);
            await Waiting.UntilAsync(
                available.Task,
                deploymentWatch,
                () => $"{pods.CreatedCount:N0} created, {pods.BoundCount:N0} bound, {pods.ReadyCount:N0} Ready of {replicas:N0}",
                settings.StallTimeout,
                run.Write,
                cancellationToken);
            var availableAt = await available.Task;
            var serverCpuUsed = ProcessMemory.CpuTime(cluster.Server.ProcessId) - serverCpu;

            run.Report(Metrics.DeploymentCreated(replicas), pods.Created.SecondsSince(start));
            run.Report(Metrics.DeploymentBound(replicas), pods.Bound.SecondsSince(start));
            run.Report(Metrics.DeploymentReady(replicas), pods.Ready.SecondsSince(start));
            run.Report(Metrics.DeploymentAvailable(replicas, nodes), Stopwatch.GetElapsedTime(start, availableAt).TotalSeconds);
            run.Report(Metrics.DeploymentServerCpu(replicas), serverCpuUsed.TotalSeconds);
            run.Report(Metrics.DeploymentServerRss(replicas), cluster.Server.ResidentMegabytes());
            run.Report(Metrics.DeploymentHollowRss(replicas), ProcessMemory.ResidentMegabytes(hollow.ProcessId));
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

    /// <summary>
    /// A small Deployment in its own namespace, created and awaited before anything is measured:
    /// the fresh server JIT-compiles its write, watch and controller paths here. Reports how long
    /// that took (the cold number).
    /// </summary>
    public static async Task WarmUpAsync(ScenarioRun run, BenchCluster cluster, int nodes, CancellationToken cancellationToken)
    {
        var replicas = run.Settings.WarmupPods;
        if (replicas <= 0)
        {
            return;
        }

        var resourceVersion = await cluster.Api.CreateAsync("/api/v1/namespaces", Manifests.Namespace(WarmupNamespace), cancellationToken);
        var available = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = cluster.CreateWatchApi().WatchAsync(
            $"/apis/apps/v1/namespaces/{WarmupNamespace}/deployments", resourceVersion, e => !ObserveDeployment(e, replicas, available), opened, stop.Token);
        try
        {
            await opened.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            var start = Stopwatch.GetTimestamp();
            await cluster.Api.CreateAsync($"/apis/apps/v1/namespaces/{WarmupNamespace}/deployments", Manifests.Deployment("warmup", replicas), cancellationToken);
            await Waiting.UntilAsync(available.Task, watch, () => "warming up", run.Settings.StallTimeout, run.Write, cancellationToken);
            run.Report(Metrics.WarmupAvailable(replicas, nodes), Stopwatch.GetElapsedTime(start, await available.Task).TotalSeconds);
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await watch;
            }
            catch (Exception)
            {
                // Stopped on purpose.
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
}
