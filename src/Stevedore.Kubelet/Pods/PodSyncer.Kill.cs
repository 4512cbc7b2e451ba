using Grpc.Core;
using k8s.Models;
using Stevedore.Client.Events;
using Stevedore.Client.Resources;
using Stevedore.Cri.V1;
using Stevedore.Kubelet.Logs;

namespace Stevedore.Kubelet.Pods;

/// <summary>Graceful termination, deletion and clean-up.</summary>
internal sealed partial class PodSyncer
{
    /// <summary>Upstream never gives a container less than this between SIGTERM and SIGKILL.</summary>
    public const long MinimumGracePeriodSeconds = 2;

    /// <summary>How many instances of a container are kept (the current one and the previous, for lastState and logs --previous).</summary>
    private const int KeptInstancesPerContainer = 2;

    /// <summary>
    /// A pod being deleted: kill it gracefully (preStop, SIGTERM, the deletion's grace period, SIGKILL),
    /// report its terminal phase, remove its containers, sandboxes, volumes and files, then delete the
    /// API object with grace 0 — the kubelet's word that nothing of the pod runs any more.
    /// </summary>
    private async Task<SyncOutcome> TerminateAsync(V1Pod pod, PodState state, RuntimePod runtime, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata.Uid;
        var grace = pod.Metadata.DeletionGracePeriodSeconds ?? ContainerConfigs.GracePeriodSeconds(pod);
        if (runtime.Running.Any() || runtime.Sandboxes.Any(s => s.Ready))
        {
            await KillPodAsync(pod, state, runtime, grace, cancellationToken).ConfigureAwait(false);
            runtime = await _inspector.GetPodAsync(uid, cancellationToken).ConfigureAwait(false);
        }

        // The terminal status is computed while the containers still exist but written after they are
        // gone: the API server may drop a deleting pod on any write, and nothing may outlive it.
        var final = GenerateStatus(pod, state, runtime, podIsTerminal: true);
        await RemovePodAsync(runtime, cancellationToken).ConfigureAwait(false);
        await _volumes.TearDownAsync(uid, cancellationToken).ConfigureAwait(false);
        RemovePodFiles(uid);
        await _statusWrites.StopAsync(uid).ConfigureAwait(false);
        await PutStatusAsync(pod, state, final, cancellationToken).ConfigureAwait(false);
        if (!_source.IsStatic(uid))
        {
            try
            {
                await _pods.DeleteAsync(SandboxConfigs.NamespaceOf(pod), pod.Metadata.Name, new V1DeleteOptions
                {
                    GracePeriodSeconds = 0,
                    Preconditions = new V1Preconditions { Uid = uid },
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ApiErrors.IsConflict(ex))
            {
                // The name belongs to a newer pod now: ours is gone already.
            }

            LogPodDeleted(_logger, SandboxConfigs.NamespaceOf(pod), pod.Metadata.Name);
        }

        Forget(uid);
        return SyncOutcome.Done;
    }

    /// <summary>Something runs that no pod wants (deleted while the agent was away, a removed static pod): kill and remove it.</summary>
    private async Task<SyncOutcome> CleanUpOrphanAsync(string uid, PodState state, RuntimePod runtime, CancellationToken cancellationToken)
    {
        if (!runtime.IsEmpty)
        {
            await KillPodAsync(state.LastPod, state, runtime, null, cancellationToken).ConfigureAwait(false);
            runtime = await _inspector.GetPodAsync(uid, cancellationToken).ConfigureAwait(false);
            await RemovePodAsync(runtime, cancellationToken).ConfigureAwait(false);
            LogOrphanRemoved(_logger, uid);
        }

        await _volumes.TearDownAsync(uid, cancellationToken).ConfigureAwait(false);
        RemovePodFiles(uid);
        Forget(uid);
        return SyncOutcome.Done;
    }

    /// <summary>
    /// Stops every running container (app containers together, then sidecars in reverse order, as
    /// upstream), then every ready sandbox.
    /// </summary>
    private async Task KillPodAsync(V1Pod? pod, PodState state, RuntimePod runtime, long? gracePeriod, CancellationToken cancellationToken)
    {
        var running = runtime.Running.ToList();
        var inits = pod?.Spec?.InitContainers ?? [];
        var specs = (pod?.Spec?.Containers ?? []).Concat(inits).ToList();
        var sidecarOrder = inits.Select((c, i) => (c.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var apps = running.Where(c => !sidecarOrder.ContainsKey(c.Name)).ToList();
        var sidecars = running.Where(c => sidecarOrder.ContainsKey(c.Name)).OrderByDescending(c => sidecarOrder[c.Name]).ToList();

        long GraceOf(RuntimeContainer c) => gracePeriod ?? (pod is not null ? ContainerConfigs.GracePeriodSeconds(pod) : c.TerminationGracePeriodSeconds ?? ContainerConfigs.DefaultTerminationGracePeriodSeconds);
        V1Container? SpecOf(RuntimeContainer c) => specs.FirstOrDefault(s => s.Name == c.Name);

        await Task.WhenAll(apps.Select(c => KillContainerAsync(pod, state, SpecOf(c), c, GraceOf(c), $"Stopping container {c.Name}", cancellationToken))).ConfigureAwait(false);
        foreach (var sidecar in sidecars)
        {
            await KillContainerAsync(pod, state, SpecOf(sidecar), sidecar, GraceOf(sidecar), $"Stopping container {sidecar.Name}", cancellationToken).ConfigureAwait(false);
        }

        foreach (var sandbox in runtime.Sandboxes.Where(s => s.Ready))
        {
            await _cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Kills one container: a Killing event, its preStop hook within the grace period, then CRI
    /// StopContainer with what is left of it (SIGTERM, then SIGKILL).
    /// </summary>
    private async Task KillContainerAsync(V1Pod? pod, PodState state, V1Container? spec, RuntimeContainer container, long gracePeriodSeconds, string message, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + TimeSpan.FromSeconds(Math.Max(gracePeriodSeconds, 0));
        if (pod is not null)
        {
            _events.Container(pod, container.Name, EventTypes.Normal, PodEvents.Killing, message);
        }

        if (pod is not null && spec?.Lifecycle?.PreStop is { } preStop && gracePeriodSeconds > 0)
        {
            using var hookTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            hookTimeout.CancelAfter(deadline - _time.GetUtcNow());
            string? failure;
            try
            {
                failure = await _hooks.RunAsync(pod, spec, container.Id, preStop, hookTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"PreStopHook for container {container.Name} did not complete within {gracePeriodSeconds}s";
            }

            if (failure is not null)
            {
                _events.Container(pod, container.Name, EventTypes.Warning, PodEvents.FailedPreStopHook, failure);
            }
        }

        var remaining = (long)Math.Ceiling((deadline - _time.GetUtcNow()).TotalSeconds);
        var timeout = Math.Max(remaining, MinimumGracePeriodSeconds);
        _probes.RemoveContainer(container.Id);
        state.Probed.Remove(container.Id);
        state.FailedProbes.TryRemove(container.Id, out _);
        try
        {
            await _cri.Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = container.Id, Timeout = timeout }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
        }

        LogContainerKilled(_logger, container.Name, container.Id, timeout);
    }

    /// <summary>Removes every container and sandbox of the pod from the runtime.</summary>
    private async Task RemovePodAsync(RuntimePod runtime, CancellationToken cancellationToken)
    {
        foreach (var container in runtime.Containers)
        {
            await RemoveContainerAsync(container.Id, cancellationToken).ConfigureAwait(false);
        }

        foreach (var sandbox in runtime.Sandboxes)
        {
            await _cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: cancellationToken).ConfigureAwait(false);
            await _cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: cancellationToken).ConfigureAwait(false);
            _inspector.Forget(sandbox.Id);
        }
    }

    private async Task RemoveContainerAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            // Its log files go with it, rotated ones included (upstream's log manager Clean).
            var status = await _cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id }, cancellationToken: cancellationToken).ConfigureAwait(false);
            ContainerLogManager.RemoveLogFiles(status.Status?.LogPath ?? "");
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogLogRemovalFailed(_logger, id, ex.Message);
        }

        try
        {
            await _cri.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = id }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
        }

        _inspector.Forget(id);
    }

    /// <summary>
    /// Container garbage collection within a live pod: keeps the newest two instances of each
    /// container and removes older finished ones, then finished sandboxes left without containers.
    /// </summary>
    private async Task PruneAsync(RuntimePod runtime, CancellationToken cancellationToken)
    {
        var removed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in runtime.Containers.GroupBy(c => c.Name))
        {
            foreach (var old in group.Skip(KeptInstancesPerContainer).Where(c => c.IsFinished))
            {
                await RemoveContainerAsync(old.Id, cancellationToken).ConfigureAwait(false);
                removed.Add(old.Id);
            }
        }

        foreach (var sandbox in runtime.Sandboxes.Skip(1).Where(s => !s.Ready))
        {
            if (runtime.Containers.All(c => c.SandboxId != sandbox.Id || removed.Contains(c.Id)))
            {
                await _cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandbox.Id }, cancellationToken: cancellationToken).ConfigureAwait(false);
                _inspector.Forget(sandbox.Id);
            }
        }
    }

    /// <summary>Deletes the pod's files: its folder under the data dir and its log folder.</summary>
    private void RemovePodFiles(string uid)
    {
        TryDelete(PodDir(uid));
        if (Directory.Exists(_options.PodLogsDir))
        {
            foreach (var dir in Directory.EnumerateDirectories(_options.PodLogsDir, "*_" + uid))
            {
                TryDelete(dir);
            }
        }
    }

    private void Forget(string uid)
    {
        if (_states.TryRemove(uid, out var state))
        {
            foreach (var id in state.Probed)
            {
                _probes.RemoveContainer(id);
            }
        }

        _crashBackoff.ResetPrefix(uid + "/");
        _pullBackoff.ResetPrefix(uid + "/");
        _sandboxBackoff.ResetPrefix(uid + "/");
    }

    private void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogCleanupFailed(_logger, dir, ex.Message);
        }
    }
}
