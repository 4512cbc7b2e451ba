using k8s.Models;
using Stevedore.Scheduler.Framework;

namespace Stevedore.Scheduler.Plugins.NodeResources;

/// <summary>
/// Checks that the node has room for the pod's requests (cpu, memory, ephemeral-storage,
/// extended resources) and for one more pod, then scores the remaining room with the profile's
/// strategy (LeastAllocated by default, over cpu and memory with weight 1 each).
/// </summary>
public sealed class NodeResourcesFitPlugin : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin, IEnqueueExtensions
{
    public const string PluginName = "NodeResourcesFit";

    public const string TooManyPodsReason = "Too many pods";

    private const string StateKey = "PreFilter" + PluginName;
    private const string ScoreStateKey = "PreScore" + PluginName;

    private readonly ScoringStrategy _strategy;

    public NodeResourcesFitPlugin(ScoringStrategy strategy = ScoringStrategy.LeastAllocated) => _strategy = strategy;

    public string Name => PluginName;

    /// <summary>The filter reason for a resource, as upstream: "Insufficient cpu".</summary>
    public static string InsufficientReason(string resource) => $"Insufficient {resource}";

    public Status PreFilter(CycleState state, V1Pod pod, ClusterSnapshot snapshot)
    {
        state.Write(StateKey, PodRequests.Compute(pod));
        return Status.Success;
    }

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (!state.TryRead<Resource>(StateKey, out var request))
        {
            return Status.Error($"{PluginName}: PreFilter state missing");
        }

        return Fits(request, nodeInfo);
    }

    /// <summary>The fit check itself, reusable without a cycle state (preemption, tests).</summary>
    public static Status Fits(Resource request, NodeInfo nodeInfo)
    {
        // Allocated only on failure: this runs for every node of every pod.
        List<string>? reasons = null;
        var unresolvable = false;
        if (nodeInfo.Pods.Count + 1 > nodeInfo.Allocatable.AllowedPodNumber)
        {
            (reasons ??= []).Add(TooManyPodsReason);
        }

        void Check(string name, long wanted)
        {
            if (wanted <= 0)
            {
                return;
            }

            var allocatable = nodeInfo.Allocatable.Get(name);
            if (wanted > allocatable - nodeInfo.Requested.Get(name))
            {
                (reasons ??= []).Add(InsufficientReason(name));

                // Larger than the whole node: evicting pods cannot help.
                unresolvable |= wanted > allocatable;
            }
        }

        Check(Resource.Cpu, request.MilliCpu);
        Check(Resource.Memory, request.MemoryBytes);
        Check(Resource.EphemeralStorage, request.EphemeralStorageBytes);
        if (request.Scalar.Count > 0)
        {
            foreach (var name in request.Scalar.Keys.Order(StringComparer.Ordinal))
            {
                Check(name, request.Scalar[name]);
            }
        }

        if (reasons is null)
        {
            return Status.Success;
        }

        return unresolvable ? Status.Unresolvable([.. reasons]) : Status.Unschedulable([.. reasons]);
    }

    public Status PreScore(CycleState state, V1Pod pod, ClusterSnapshot snapshot, IReadOnlyList<NodeInfo> nodes)
    {
        state.Write(ScoreStateKey, PodRequests.ComputeNonZero(pod));
        return Status.Success;
    }

    public Status Score(CycleState state, V1Pod pod, NodeInfo nodeInfo, out long score)
    {
        score = 0;
        if (!state.TryRead<Resource>(ScoreStateKey, out var request))
        {
            return Status.Error($"{PluginName}: PreScore state missing");
        }

        score = Score(_strategy, request, nodeInfo);
        return Status.Success;
    }

    /// <summary>The weighted (cpu 1, memory 1) LeastAllocated or MostAllocated score of a node for a request.</summary>
    public static long Score(ScoringStrategy strategy, Resource nonZeroRequest, NodeInfo nodeInfo)
    {
        long total = 0;
        long weights = 0;
        foreach (var name in (string[])[Resource.Cpu, Resource.Memory])
        {
            var capacity = nodeInfo.Allocatable.Get(name);
            var requested = nodeInfo.NonZeroRequested.Get(name) + nonZeroRequest.Get(name);
            weights++;
            if (capacity == 0)
            {
                continue;
            }

            total += strategy == ScoringStrategy.LeastAllocated
                ? (requested > capacity ? 0 : (capacity - requested) * NodeScore.MaxNodeScore / capacity)
                : (requested > capacity ? NodeScore.MaxNodeScore : requested * NodeScore.MaxNodeScore / capacity);
        }

        return weights == 0 ? 0 : total / weights;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() =>
    [
        new(EventResource.Pod, ActionType.Delete | ActionType.UpdatePodScaleDown, "AssignedPodDelete"),
        new(EventResource.Node, ActionType.Add | ActionType.UpdateNodeAllocatable, "NodeAllocatableChange"),
    ];
}
