using k8s.Models;
using Stevedore.Scheduler.Framework;

namespace Stevedore.Scheduler.Plugins.NodeResources;

/// <summary>
/// Prefers nodes whose cpu and memory would be used in similar proportions after placing the
/// pod: score = (1 - standard deviation of the used fractions) * 100.
/// </summary>
public sealed class BalancedAllocationPlugin : IPreScorePlugin, IScorePlugin
{
    public const string PluginName = "NodeResourcesBalancedAllocation";

    private const string StateKey = "PreScore" + PluginName;

    public string Name => PluginName;

    public Status PreScore(CycleState state, V1Pod pod, ClusterSnapshot snapshot, IReadOnlyList<NodeInfo> nodes)
    {
        state.Write(StateKey, PodRequests.Compute(pod));
        return Status.Success;
    }

    public Status Score(CycleState state, V1Pod pod, NodeInfo nodeInfo, out long score)
    {
        score = 0;
        if (!state.TryRead<Resource>(StateKey, out var request))
        {
            return Status.Error($"{PluginName}: PreScore state missing");
        }

        score = Score(request, nodeInfo);
        return Status.Success;
    }

    public static long Score(Resource request, NodeInfo nodeInfo)
    {
        // Two resources (cpu, memory): the standard deviation is half their difference.
        var cpu = Fraction(Resource.Cpu, request, nodeInfo);
        var memory = Fraction(Resource.Memory, request, nodeInfo);
        if (cpu is null && memory is null)
        {
            return 0;
        }

        var std = cpu is { } c && memory is { } m ? Math.Abs(c - m) / 2 : 0;
        return (long)((1 - std) * NodeScore.MaxNodeScore);
    }

    private static double? Fraction(string name, Resource request, NodeInfo nodeInfo)
    {
        var capacity = nodeInfo.Allocatable.Get(name);
        if (capacity == 0)
        {
            return null;
        }

        var requested = nodeInfo.Requested.Get(name) + request.Get(name);
        return Math.Min(1.0, (double)requested / capacity);
    }
}
