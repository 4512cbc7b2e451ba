using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Util;

namespace Stevedore.Scheduler.Queue;

/// <summary>A pod waiting in the scheduling queue with its attempt history.</summary>
public sealed class QueuedPodInfo
{
    internal QueuedPodInfo(V1Pod pod, DateTimeOffset now)
    {
        Pod = pod;
        Timestamp = now;
        InitialAttemptTimestamp = now;
    }

    public V1Pod Pod { get; internal set; }

    public string Key => Pod.Key();

    /// <summary>When the pod last entered a sub-queue (orders equal priorities, starts the backoff).</summary>
    public DateTimeOffset Timestamp { get; internal set; }

    /// <summary>When the pod was first added to the queue.</summary>
    public DateTimeOffset InitialAttemptTimestamp { get; }

    /// <summary>Scheduling attempts so far (incremented by Pop).</summary>
    public int Attempts { get; internal set; }

    /// <summary>The plugins that rejected the pod in its last attempt; empty means "retry on any event".</summary>
    public HashSet<string> UnschedulablePlugins { get; } = new(StringComparer.Ordinal);

    /// <summary>Tie breaker for pods with the same priority and timestamp (insertion order).</summary>
    internal long Sequence { get; set; }

    internal DateTimeOffset BackoffExpiry { get; set; }

    internal ClusterEvent? LastMoveEvent { get; set; }
}
