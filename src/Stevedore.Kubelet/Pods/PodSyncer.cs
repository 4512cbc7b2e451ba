using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Events;
using Stevedore.Client.Resources;
using Stevedore.Kubelet.Cri;
using Stevedore.Kubelet.Probes;
using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet.Pods;

/// <summary>
/// One pod's sync, level-based: read what the runtime runs for the pod, report status, then do
/// what brings the runtime closer to the spec (sandbox, images, init containers, sidecars, app
/// containers, kills, restarts with back-off), or terminate and clean up a deleted pod. Called by
/// <see cref="PodWorkers"/>, never concurrently for the same pod.
/// </summary>
internal sealed partial class PodSyncer
{
    private readonly CriConnection _cri;
    private readonly RuntimeInspector _inspector;
    private readonly PodSource _source;
    private readonly KubeletOptions _options;
    private readonly IVolumeManager _volumes;
    private readonly IEnvironmentResolver _environment;
    private readonly IProbeManager _probes;
    private readonly ILifecycleHookRunner _hooks;
    private readonly ResourceClient<V1Pod> _pods;
    private readonly PodEvents _events;
    private readonly PodStartupTracker _startups;
    private readonly StatusWriteQueue _statusWrites;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, PodState> _states = new(StringComparer.Ordinal);
    private readonly RestartBackoff _crashBackoff;
    private readonly RestartBackoff _pullBackoff;
    private readonly RestartBackoff _sandboxBackoff;

    public PodSyncer(
        CriConnection cri,
        RuntimeInspector inspector,
        PodSource source,
        KubeletOptions options,
        KubeletDependencies dependencies,
        IKubernetes client,
        PodEvents events,
        PodStartupTracker startups,
        ILogger logger)
    {
        _cri = cri;
        _inspector = inspector;
        _source = source;
        _options = options;
        _volumes = dependencies.Volumes;
        _environment = dependencies.Environment;
        _probes = dependencies.Probes;
        _hooks = dependencies.Hooks;
        _pods = new ResourceClient<V1Pod>(client);
        _events = events;
        _startups = startups;
        _statusWrites = new StatusWriteQueue(options.Time, logger);
        _time = options.Time;
        _logger = logger;
        _crashBackoff = new RestartBackoff(options.BackoffInitial, options.BackoffMax, options.BackoffReset);
        _pullBackoff = new RestartBackoff(options.BackoffInitial, options.BackoffMax, options.BackoffReset);
        _sandboxBackoff = new RestartBackoff(TimeSpan.FromSeconds(1), options.BackoffMax, options.BackoffReset);
    }

    /// <summary>The runtime's name (scheme of container IDs); set once the runtime answered Version.</summary>
    public string RuntimeName { get; set; } = "cri";

    /// <summary>The node's address for hostIP and host-network pods.</summary>
    public string? NodeIp { get; set; }

    /// <summary>A liveness or startup probe failed: the container is killed on the pod's next sync.</summary>
    public void OnProbeFailed(string uid, string containerId, string message) =>
        _states.GetOrAdd(uid, _ => new PodState()).FailedProbes[containerId] = message;

    /// <summary>Brings one pod's runtime state and API status in line with its spec.</summary>
    public async Task<SyncOutcome> SyncAsync(string uid, CancellationToken cancellationToken)
    {
        var pod = _source.Get(uid);
        var state = _states.GetOrAdd(uid, _ => new PodState());
        if (pod is not null)
        {
            state.LastPod = pod;
        }

        _startups.Mark(uid, PodStartupStep.SyncStarted);

        var runtime = await _inspector.GetPodAsync(uid, cancellationToken).ConfigureAwait(false);
        _startups.Mark(uid, PodStartupStep.RuntimeRead);
        if (pod is null)
        {
            _startups.Forget(uid);
            return await CleanUpOrphanAsync(uid, state, runtime, cancellationToken).ConfigureAwait(false);
        }

        if (pod.Metadata.DeletionTimestamp is not null)
        {
            _startups.Forget(uid);
            return await TerminateAsync(pod, state, runtime, cancellationToken).ConfigureAwait(false);
        }

        ForgetStoppedProbes(state, runtime);
        var status = ReportStatus(pod, state, runtime, cancellationToken);
        _startups.Mark(uid, PodStartupStep.FirstStatus);
        if (status.Phase is "Succeeded" or "Failed")
        {
            _startups.Forget(uid);
            // A finished pod keeps its containers (for logs and status) but nothing runs any more.
            if (runtime.Running.Any() || runtime.Sandboxes.Any(s => s.Ready))
            {
                await KillPodAsync(pod, state, runtime, null, cancellationToken).ConfigureAwait(false);
                return SyncOutcome.Again;
            }

            return SyncOutcome.Idle;
        }

        AdoptRunningContainers(pod, state, runtime);
        if (!await SetUpVolumesAsync(pod, state, cancellationToken).ConfigureAwait(false))
        {
            return SyncOutcome.After(TimeSpan.FromSeconds(2));
        }

        _startups.Mark(uid, PodStartupStep.VolumesReady);

        var actions = PodActions.Compute(pod, runtime, state.FailedProbes, _probes.IsStarted);
        if (actions.IsEmpty)
        {
            await PruneAsync(runtime, cancellationToken).ConfigureAwait(false);
            return state.RetryAfter is { } retry ? SyncOutcome.After(retry) : SyncOutcome.Idle;
        }

        LogActions(_logger, SandboxConfigs.NamespaceOf(pod), pod.Metadata.Name, actions.KillPod, actions.CreateSandbox,
            string.Join(',', actions.ContainersToKill.Select(k => k.Container.Name)), string.Join(',', actions.ContainersToStart.Select(s => s.Spec.Name)));
        return await ExecuteAsync(pod, state, runtime, actions, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SyncOutcome> ExecuteAsync(V1Pod pod, PodState state, RuntimePod runtime, PodActions actions, CancellationToken cancellationToken)
    {
        var waitingBefore = state.WaitingSnapshot();
        state.RetryAfter = null;
        var changed = false;
        if (actions.KillPod)
        {
            if (actions.CreateSandbox && runtime.LatestSandbox is not null)
            {
                _events.Pod(pod, EventTypes.Normal, PodEvents.SandboxChanged, "Pod sandbox changed, it will be killed and re-created.");
            }

            await KillPodAsync(pod, state, runtime, null, cancellationToken).ConfigureAwait(false);
            changed = true;
        }

        foreach (var kill in actions.ContainersToKill)
        {
            await KillContainerAsync(pod, state, kill.Spec, kill.Container, ContainerConfigs.GracePeriodSeconds(pod), kill.Message, cancellationToken).ConfigureAwait(false);
            changed = true;
        }

        if (actions.ContainersToStart.Count > 0 || actions.CreateSandbox)
        {
            var sandbox = actions.CreateSandbox
                ? await CreateSandboxAsync(pod, state, actions.SandboxAttempt, cancellationToken).ConfigureAwait(false)
                : (runtime.LatestSandbox!.Id, SandboxConfigFor(pod, runtime.LatestSandbox.Attempt));
            if (sandbox is { } created)
            {
                changed |= actions.CreateSandbox;
                if (actions.CreateSandbox)
                {
                    // Restart decisions and restart counts must see the new sandbox and what the kill left.
                    runtime = await _inspector.GetPodAsync(pod.Metadata.Uid, cancellationToken).ConfigureAwait(false);
                }

                foreach (var start in actions.ContainersToStart)
                {
                    var started = await StartContainerAsync(pod, state, runtime, created.Id, created.Config, start, cancellationToken).ConfigureAwait(false);
                    changed |= started;
                    if (!started && start.IsInit)
                    {
                        break;
                    }
                }
            }
        }

        changed |= !state.WaitingEquals(waitingBefore);
        if (changed)
        {
            return SyncOutcome.Again;
        }

        return state.RetryAfter is { } retry ? SyncOutcome.After(retry) : SyncOutcome.Idle;
    }

    /// <summary>The pod's status from the runtime's state, the last start failures and the probes.</summary>
    private V1PodStatus GenerateStatus(V1Pod pod, PodState state, RuntimePod runtime, bool podIsTerminal) =>
        PodStatusGenerator.Generate(new PodStatusInputs
        {
            Pod = new V1Pod { Metadata = pod.Metadata, Spec = pod.Spec, Status = _source.StatusTarget(pod)?.Status ?? pod.Status },
            Runtime = runtime,
            RuntimeName = RuntimeName,
            NodeIp = NodeIp,
            Now = _time.GetUtcNow().UtcDateTime,
            Waiting = state.WaitingSnapshot(),
            IsReady = _probes.IsReady,
            IsStarted = _probes.IsStarted,
            PodIsTerminal = podIsTerminal,
        });

    /// <summary>
    /// Writes <paramref name="status"/> to the pod's API object (a static pod's mirror) unless the API
    /// already holds it, or holds what our last identical write left there.
    /// </summary>
    private async Task PutStatusAsync(V1Pod pod, PodState state, V1PodStatus status, CancellationToken cancellationToken)
    {
        var target = _source.StatusTarget(pod);
        if (target is null)
        {
            return;
        }

        var json = KubernetesJson.Serialize(status);
        var current = KubernetesJson.Serialize(target.Status ?? new V1PodStatus());
        if (json == current
            || (json == state.WrittenStatus && (current == state.ServerStatus || target.Metadata.ResourceVersion == state.WrittenOverVersion)))
        {
            return;
        }

        var update = new V1Pod { ApiVersion = "v1", Kind = "Pod", Metadata = target.Metadata, Spec = target.Spec, Status = status };
        V1Pod written;
        try
        {
            written = await _pods.ReplaceStatusAsync(update, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ApiErrors.IsConflict(ex))
        {
            // Someone else wrote the pod since our cache saw it: write over the latest version.
            var latest = await _pods.GetAsync(target.Metadata.NamespaceProperty, target.Metadata.Name, cancellationToken).ConfigureAwait(false);
            if (latest is null || latest.Metadata.Uid != target.Metadata.Uid)
            {
                return;
            }

            update.Metadata = latest.Metadata;
            written = await _pods.ReplaceStatusAsync(update, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            return;
        }

        state.WrittenStatus = json;
        state.ServerStatus = KubernetesJson.Serialize(written.Status ?? new V1PodStatus());
        state.WrittenOverVersion = target.Metadata.ResourceVersion;
        LogStatusWritten(_logger, SandboxConfigs.NamespaceOf(pod), pod.Metadata.Name, status.Phase ?? "");
    }

    /// <summary>Makes sure the probe manager watches every running container (after an agent restart too).</summary>
    private void AdoptRunningContainers(V1Pod pod, PodState state, RuntimePod runtime)
    {
        foreach (var container in runtime.Running)
        {
            if (state.Probed.Contains(container.Id))
            {
                continue;
            }

            var spec = (pod.Spec?.Containers ?? []).Concat(pod.Spec?.InitContainers ?? []).FirstOrDefault(c => c.Name == container.Name);
            if (spec is not null)
            {
                _probes.AddContainer(WithSandboxIps(pod, runtime), spec, container.Id, container.StartedAt ?? container.CreatedAt);
                state.Probed.Add(container.Id);
            }
        }
    }

    /// <summary>
    /// The pod with <c>status.podIP(s)</c> of its running sandbox (the node's address on the host network) and
    /// <c>status.hostIP(s)</c>, as env resolution (downward API), the probe manager and httpGet hooks need it: the
    /// API's copy of a pod that just got its sandbox holds neither yet.
    /// </summary>
    private V1Pod WithSandboxIps(V1Pod pod, RuntimePod runtime)
    {
        IReadOnlyList<string> ips = pod.Spec?.HostNetwork == true && !string.IsNullOrEmpty(NodeIp)
            ? [NodeIp]
            : runtime.LatestSandbox?.Ips ?? [];
        var podIpKnown = ips.Count == 0 || pod.Status?.PodIP == ips[0];
        var hostIpKnown = string.IsNullOrEmpty(NodeIp) || pod.Status?.HostIP == NodeIp;
        if (podIpKnown && hostIpKnown)
        {
            return pod;
        }

        var status = KubernetesJson.Deserialize<V1PodStatus>(KubernetesJson.Serialize(pod.Status ?? new V1PodStatus()));
        if (!podIpKnown)
        {
            status.PodIP = ips[0];
            status.PodIPs = [.. ips.Select(ip => new V1PodIP { Ip = ip })];
        }

        if (!hostIpKnown)
        {
            status.HostIP = NodeIp;
            status.HostIPs = [new V1HostIP { Ip = NodeIp }];
        }

        return new V1Pod { ApiVersion = pod.ApiVersion, Kind = pod.Kind, Metadata = pod.Metadata, Spec = pod.Spec, Status = status };
    }

    /// <summary>Stops probing containers that no longer run.</summary>
    private void ForgetStoppedProbes(PodState state, RuntimePod runtime)
    {
        var running = runtime.Running.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var id in state.Probed.Where(id => !running.Contains(id)).ToList())
        {
            _probes.RemoveContainer(id);
            state.Probed.Remove(id);
        }

        foreach (var id in state.FailedProbes.Keys.Where(id => !running.Contains(id)).ToList())
        {
            state.FailedProbes.TryRemove(id, out _);
        }
    }

    private async Task<bool> SetUpVolumesAsync(V1Pod pod, PodState state, CancellationToken cancellationToken)
    {
        try
        {
            if (!state.VolumesReady)
            {
                await _volumes.SetUpAsync(pod, cancellationToken).ConfigureAwait(false);
                state.VolumesReady = true;
                state.LastVolumeRefresh = _time.GetUtcNow();
            }
            else if (_time.GetUtcNow() - state.LastVolumeRefresh >= _options.ResyncInterval)
            {
                state.LastVolumeRefresh = _time.GetUtcNow();
                await _volumes.RefreshAsync(pod, cancellationToken).ConfigureAwait(false);
            }

            state.MountFailure = null;
            return true;
        }
        catch (PodConfigException ex)
        {
            if (state.MountFailure != ex.Message)
            {
                _events.Pod(pod, EventTypes.Warning, ex.Reason, ex.Message);
                state.MountFailure = ex.Message;
            }

            return false;
        }
    }

    private string PodDir(string uid) => Path.Combine(_options.DataDir, "pods", uid);

    /// <summary>What the agent keeps in memory about one pod (lost on restart; everything else comes from CRI).</summary>
    private sealed class PodState
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, ContainerWaiting> _waiting = new(StringComparer.Ordinal);

        public V1Pod? LastPod { get; set; }

        /// <summary>Running container IDs whose liveness or startup probe failed, with the Killing message.</summary>
        public ConcurrentDictionary<string, string> FailedProbes { get; } = new(StringComparer.Ordinal);

        /// <summary>Container IDs handed to the probe manager.</summary>
        public HashSet<string> Probed { get; } = new(StringComparer.Ordinal);

        public string? WrittenStatus { get; set; }

        public string? ServerStatus { get; set; }

        public string? WrittenOverVersion { get; set; }

        public bool VolumesReady { get; set; }

        public DateTimeOffset LastVolumeRefresh { get; set; }

        public string? MountFailure { get; set; }

        /// <summary>When the last sandbox creation failed.</summary>
        public DateTimeOffset SandboxFailedAt { get; set; }

        /// <summary>When the last pull of an image failed, by pull key.</summary>
        public Dictionary<string, DateTimeOffset> PullFailedAt { get; } = new(StringComparer.Ordinal);

        /// <summary>The earliest time a held-back start (back-off) may be retried.</summary>
        public TimeSpan? RetryAfter { get; set; }

        public void SetWaiting(string container, string reason, string message)
        {
            lock (_lock)
            {
                _waiting[container] = new ContainerWaiting(reason, message);
            }
        }

        public void ClearWaiting(string container)
        {
            lock (_lock)
            {
                _waiting.Remove(container);
            }
        }

        public Dictionary<string, ContainerWaiting> WaitingSnapshot()
        {
            lock (_lock)
            {
                return new Dictionary<string, ContainerWaiting>(_waiting, StringComparer.Ordinal);
            }
        }

        public bool WaitingEquals(Dictionary<string, ContainerWaiting> other)
        {
            lock (_lock)
            {
                return other.Count == _waiting.Count && other.All(p => _waiting.TryGetValue(p.Key, out var w) && w == p.Value);
            }
        }

        /// <summary>Earliest retry wins.</summary>
        public void RetryIn(TimeSpan delay)
        {
            if (RetryAfter is null || delay < RetryAfter)
            {
                RetryAfter = delay;
            }
        }
    }
}
