using k8s.Models;

namespace Stevedore.HollowNodes;

/// <summary>An event a hollow kubelet reports about a pod.</summary>
public sealed record PodEvent(string Type, string Reason, string Message);

/// <summary>
/// The outcome of one look at a pod: the status to write (null = leave it), when to look
/// again (null = only when the pod changes), and the events to record.
/// </summary>
public sealed record PodPlan(V1PodStatus? NewStatus, TimeSpan? RecheckAfter, IReadOnlyList<PodEvent> Events)
{
    /// <summary>Nothing to do.</summary>
    public static readonly PodPlan Nothing = new(null, null, []);
}
