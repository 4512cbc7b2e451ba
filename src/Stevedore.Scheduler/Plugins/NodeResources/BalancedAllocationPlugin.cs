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
        var fractions = new List<double>(2);
        foreach (var name in (string[])[Resource.Cpu, Resource.Memory])
        {
            var capacity = nodeInfo.Allocatable.Get(name);
            if (capacity == 0)
            {
                continue;
            }

            var requested = nodeInfo.Requested.Get(name) + request.Get(name);
            fractions.Add(Math.Min(1.0, (double)requested / capacity));
        }

        if (fractions.Count == 0)
        {
            return 0;
        }

        var mean = fractions.Average();
        var variance = fractions.Sum(f => (f - mean) * (f - mean)) / fractions.Count;
        var std = Math.Sqrt(variance);
        return (long)((1 - std) * NodeScore.MaxNodeScore);
    }
}
