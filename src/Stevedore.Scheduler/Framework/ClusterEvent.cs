namespace Stevedore.Scheduler.Framework;

/// <summary>The kind of object a cluster event is about.</summary>
public enum EventResource
{
    Pod,
    Node,
    PersistentVolume,
    PersistentVolumeClaim,
    StorageClass,
    Namespace,

    /// <summary>Matches every resource (used for timeouts and forced moves).</summary>
    WildCard,
}

/// <summary>What happened to the object; flags so a plugin can register for several.</summary>
[Flags]
public enum ActionType
{
    None = 0,
    Add = 1,
    Delete = 2,
    UpdateNodeAllocatable = 4,
    UpdateNodeLabel = 8,
    UpdateNodeTaint = 16,
    UpdateNodeCondition = 32,
    UpdatePodLabel = 64,
    UpdatePodScaleDown = 128,
    UpdateOther = 256,

    /// <summary>Any kind of update.</summary>
    Update = UpdateNodeAllocatable | UpdateNodeLabel | UpdateNodeTaint | UpdateNodeCondition | UpdatePodLabel | UpdatePodScaleDown | UpdateOther,

    All = Add | Delete | Update,
}

/// <summary>
/// A change in the cluster that may make unschedulable pods schedulable. Pod events are about
/// assigned pods (pods already on a node); <see cref="Label"/> is for logs and metrics.
/// </summary>
public readonly record struct ClusterEvent(EventResource Resource, ActionType Action, string Label)
{
    public static ClusterEvent NodeAdd { get; } = new(EventResource.Node, ActionType.Add, "NodeAdd");

    public static ClusterEvent NodeLabelChange { get; } = new(EventResource.Node, ActionType.UpdateNodeLabel, "NodeLabelChange");

    public static ClusterEvent NodeTaintChange { get; } = new(EventResource.Node, ActionType.UpdateNodeTaint, "NodeTaintChange");

    public static ClusterEvent NodeAllocatableChange { get; } = new(EventResource.Node, ActionType.UpdateNodeAllocatable, "NodeAllocatableChange");

    public static ClusterEvent NodeSpecUnschedulableChange { get; } = new(EventResource.Node, ActionType.UpdateNodeTaint, "NodeSpecUnschedulableChange");

    public static ClusterEvent NodeConditionChange { get; } = new(EventResource.Node, ActionType.UpdateNodeCondition, "NodeConditionChange");

    public static ClusterEvent NodeDelete { get; } = new(EventResource.Node, ActionType.Delete, "NodeDelete");

    public static ClusterEvent AssignedPodAdd { get; } = new(EventResource.Pod, ActionType.Add, "AssignedPodAdd");

    public static ClusterEvent AssignedPodUpdate { get; } = new(EventResource.Pod, ActionType.Update, "AssignedPodUpdate");

    public static ClusterEvent AssignedPodDelete { get; } = new(EventResource.Pod, ActionType.Delete, "AssignedPodDelete");

    /// <summary>Pods sat in the unschedulable sub-queue longer than the flush interval.</summary>
    public static ClusterEvent UnschedulableTimeout { get; } = new(EventResource.WildCard, ActionType.All, "UnschedulableTimeout");

    /// <summary>A forced move of every unschedulable pod.</summary>
    public static ClusterEvent ForceActivate { get; } = new(EventResource.WildCard, ActionType.All, "ForceActivate");

    /// <summary>True when this event (something that happened) is covered by <paramref name="registered"/> (what a plugin listens for).</summary>
    public bool Matches(ClusterEvent registered) =>
        Resource == EventResource.WildCard
        || registered.Resource == EventResource.WildCard
        || (Resource == registered.Resource && (Action & registered.Action) != 0);
}
