using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Stevedore.Kubelet.Pods;

/// <summary>A step on a new pod's way to Running, as the agent sees it.</summary>
internal enum PodStartupStep
{
    /// <summary>The pod reached the agent (informer event or static manifest), not yet running anything.</summary>
    Seen,

    /// <summary>Its first sync began (a pod worker picked it up).</summary>
    SyncStarted,

    /// <summary>Its first sync read the pod's sandboxes and containers from the runtime.</summary>
    RuntimeRead,

    /// <summary>Its first status (Pending) was computed and its write queued.</summary>
    FirstStatus,

    /// <summary>Its volumes were set up.</summary>
    VolumesReady,

    /// <summary>RunPodSandbox was called.</summary>
    SandboxRequested,

    /// <summary>RunPodSandbox returned (namespaces, CNI ADD, pause container).</summary>
    SandboxReady,

    /// <summary>The pod's sandbox address was read and its /etc/hosts written.</summary>
    SandboxInspected,

    /// <summary>The last container's image was found present or pulled.</summary>
    ImageReady,

    /// <summary>The last container's environment (Service variables, env, envFrom) was resolved.</summary>
    EnvironmentReady,

    /// <summary>CreateContainer returned for the last container.</summary>
    ContainerCreated,

    /// <summary>StartContainer returned for the last container.</summary>
    ContainerStarted,

    /// <summary>The sync that saw every container running began.</summary>
    RunningSeen,

    /// <summary>The status with phase Running was written to the API.</summary>
    RunningReported,
}

/// <summary>
/// Upstream's pod start-up latency tracker, as one log line per pod: for every pod this agent starts
/// (not ones adopted running after a restart), the time of each <see cref="PodStartupStep"/> from the
/// moment the agent saw the pod, written once its Running status is in the API. Steps keep their first
/// occurrence, except the per-container ones, which keep the last (the slowest container decides).
/// </summary>
internal sealed partial class PodStartupTracker(TimeProvider time, ILogger logger)
{
    private readonly ConcurrentDictionary<string, Timeline> _pods = new(StringComparer.Ordinal);

    /// <summary>
    /// The pod reached the agent: when it is starting (see <see cref="IsStarting"/>) its start is timed
    /// from now; a second call changes nothing.
    /// </summary>
    public void Seen(V1Pod pod)
    {
        if (IsStarting(pod))
        {
            _pods.TryAdd(pod.Metadata.Uid, new Timeline(time.GetTimestamp()));
        }
    }

    /// <summary>
    /// Whether a pod has yet to start: not being deleted, not finished, and no container reported running
    /// (a pod found again after an agent restart, already running, is not a start).
    /// </summary>
    public static bool IsStarting(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Metadata?.Uid is { Length: > 0 }
            && pod.Metadata.DeletionTimestamp is null
            && pod.Status?.Phase is null or "Pending"
            && (pod.Status?.ContainerStatuses ?? []).Concat(pod.Status?.InitContainerStatuses ?? []).All(c => c.State?.Running is null && c.State?.Terminated is null);
    }

    /// <summary>Records <paramref name="step"/> for a pod being timed; ignored for any other pod.</summary>
    public void Mark(string uid, PodStartupStep step)
    {
        if (_pods.TryGetValue(uid, out var timeline))
        {
            timeline.Mark(step, time.GetTimestamp(), keepLast: IsPerContainer(step));
        }
    }

    /// <summary>Whether the pod's start is being timed.</summary>
    public bool IsTracking(string uid) => _pods.ContainsKey(uid);

    /// <summary>The Running status is in the API: logs the pod's start-up and stops timing it.</summary>
    public void Reported(string uid, string @namespace, string name)
    {
        Mark(uid, PodStartupStep.RunningReported);
        if (_pods.TryRemove(uid, out var timeline))
        {
            var offsets = timeline.Offsets(time);
            LogStartup(logger, @namespace, name, offsets.TryGetValue(PodStartupStep.RunningReported, out var total) ? total.TotalMilliseconds : 0, Describe(offsets));
        }
    }

    /// <summary>The pod went away (or failed) before running: nothing to report.</summary>
    public void Forget(string uid) => _pods.TryRemove(uid, out _);

    /// <summary>
    /// The steps as "step +N ms" (the time since the previous recorded step), in the order a start goes
    /// through them, e.g. <c>SyncStarted +2 ms, VolumesReady +14 ms, SandboxRequested +0 ms, …</c>.
    /// </summary>
    public static string Describe(IReadOnlyDictionary<PodStartupStep, TimeSpan> offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var text = new StringBuilder();
        var previous = TimeSpan.Zero;
        foreach (var (step, at) in offsets.Where(o => o.Key != PodStartupStep.Seen).OrderBy(o => o.Key))
        {
            var delta = at - previous;
            text.Append(text.Length == 0 ? "" : ", ").Append(step).Append(" +")
                .Append(Math.Max(0, delta.TotalMilliseconds).ToString("0", CultureInfo.InvariantCulture)).Append(" ms");
            previous = at;
        }

        return text.ToString();
    }

    private static bool IsPerContainer(PodStartupStep step) =>
        step is PodStartupStep.ImageReady or PodStartupStep.EnvironmentReady or PodStartupStep.ContainerCreated or PodStartupStep.ContainerStarted;

    [LoggerMessage(Level = LogLevel.Information, Message = "Observed pod startup duration {Namespace}/{Name}: {TotalMilliseconds:0} ms from seen to Running reported ({Steps})")]
    private static partial void LogStartup(ILogger logger, string @namespace, string name, double totalMilliseconds, string steps);

    private sealed class Timeline(long seen)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<PodStartupStep, long> _steps = new() { [PodStartupStep.Seen] = seen };

        public void Mark(PodStartupStep step, long at, bool keepLast)
        {
            lock (_lock)
            {
                if (keepLast || !_steps.ContainsKey(step))
                {
                    _steps[step] = at;
                }
            }
        }

        public Dictionary<PodStartupStep, TimeSpan> Offsets(TimeProvider time)
        {
            lock (_lock)
            {
                var seen = _steps[PodStartupStep.Seen];
                return _steps.ToDictionary(s => s.Key, s => time.GetElapsedTime(seen, s.Value));
            }
        }
    }
}
