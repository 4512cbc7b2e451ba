using k8s.Models;

namespace Stevedore.Scheduler.Framework;

/// <summary>Every plugin has a stable name (the <c>Name</c> constant of its class).</summary>
public interface IPlugin
{
    string Name { get; }
}

/// <summary>Runs once per pod before filtering; computes state or rejects the pod for all nodes.</summary>
public interface IPreFilterPlugin : IPlugin
{
    /// <summary>Success, Skip (Filter will not run), or a rejection applied to every node.</summary>
    Status PreFilter(CycleState state, V1Pod pod, ClusterSnapshot snapshot);
}

/// <summary>Decides whether the pod may run on one node. Called concurrently for different nodes.</summary>
public interface IFilterPlugin : IPlugin
{
    Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo);
}

/// <summary>Runs when no node passed filtering (preemption lives here).</summary>
public interface IPostFilterPlugin : IPlugin
{
    /// <summary>Success with a result (for example a nominated node and victims) or a status whose message ends up in FailedScheduling.</summary>
    (PostFilterResult? Result, Status Status) PostFilter(CycleState state, V1Pod pod, ClusterSnapshot snapshot, IReadOnlyDictionary<string, Status> filteredNodeStatuses);
}

/// <summary>Runs once per pod before scoring, with the feasible nodes.</summary>
public interface IPreScorePlugin : IPlugin
{
    /// <summary>Success or Skip (Score will not run).</summary>
    Status PreScore(CycleState state, V1Pod pod, ClusterSnapshot snapshot, IReadOnlyList<NodeInfo> nodes);
}

/// <summary>Ranks a feasible node. Called concurrently for different nodes.</summary>
public interface IScorePlugin : IPlugin
{
    Status Score(CycleState state, V1Pod pod, NodeInfo nodeInfo, out long score);

    /// <summary>Rescales the raw scores into 0..100. The default leaves them as they are.</summary>
    Status NormalizeScore(CycleState state, V1Pod pod, NodeScore[] scores) => Status.Success;
}

/// <summary>Reserves (or releases) per-node resources for a pod between choosing a node and binding.</summary>
public interface IReservePlugin : IPlugin
{
    Status Reserve(CycleState state, V1Pod pod, string nodeName);

    void Unreserve(CycleState state, V1Pod pod, string nodeName);
}

/// <summary>Binds a pod to a node (the API-facing binder is supplied by the host).</summary>
public interface IBindPlugin : IPlugin
{
    /// <summary>Success, Skip (let the next binder try) or Error.</summary>
    Task<Status> BindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken cancellationToken);
}

/// <summary>Plugins that can reject pods say which cluster events may make those pods schedulable again.</summary>
public interface IEnqueueExtensions : IPlugin
{
    IReadOnlyList<ClusterEvent> EventsToRegister();
}

/// <summary>What plugins may use from the framework that runs them (preemption re-runs the filters).</summary>
public interface IFrameworkHandle
{
    Status RunPreFilterPlugins(CycleState state, V1Pod pod, ClusterSnapshot snapshot);

    Status RunFilterPlugins(CycleState state, V1Pod pod, NodeInfo nodeInfo);
}
