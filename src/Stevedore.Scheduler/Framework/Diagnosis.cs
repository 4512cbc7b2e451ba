namespace Stevedore.Scheduler.Framework;

/// <summary>Why a pod did not fit: the status of every node plus PreFilter/PostFilter messages.</summary>
public sealed class Diagnosis
{
    /// <summary>The rejection status of each evaluated node, by node name.</summary>
    public Dictionary<string, Status> NodeToStatus { get; } = new(StringComparer.Ordinal);

    /// <summary>Plugins that rejected the pod somewhere; the queue only retries the pod on events they care about.</summary>
    public HashSet<string> UnschedulablePlugins { get; } = new(StringComparer.Ordinal);

    /// <summary>Set when a PreFilter plugin rejected the pod for every node.</summary>
    public string? PreFilterMessage { get; set; }

    /// <summary>The PostFilter (preemption) message, for example "preemption: 0/3 nodes are available: ...".</summary>
    public string? PostFilterMessage { get; set; }
}
