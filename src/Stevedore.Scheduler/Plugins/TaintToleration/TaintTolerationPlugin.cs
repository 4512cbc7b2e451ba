using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Util;

namespace Stevedore.Scheduler.Plugins.TaintToleration;

/// <summary>
/// Filters out nodes with a NoSchedule or NoExecute taint the pod does not tolerate; scores
/// nodes lower the more PreferNoSchedule taints the pod does not tolerate.
/// </summary>
public sealed class TaintTolerationPlugin : IFilterPlugin, IPreScorePlugin, IScorePlugin, IEnqueueExtensions
{
    public const string PluginName = "TaintToleration";

    private const string StateKey = "PreScore" + PluginName;

    public string Name => PluginName;

    /// <summary>The filter reason for one taint, as upstream: "node(s) had untolerated taint {key: value}".</summary>
    public static string UntoleratedReason(V1Taint taint) => $"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}";

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var taint = Tolerations.FindUntolerated(
            nodeInfo.Node.Spec?.Taints,
            pod.Spec?.Tolerations,
            t => t.Effect is Tolerations.NoSchedule or Tolerations.NoExecute);
        return taint is null ? Status.Success : Status.Unresolvable(UntoleratedReason(taint));
    }

    public Status PreScore(CycleState state, V1Pod pod, ClusterSnapshot snapshot, IReadOnlyList<NodeInfo> nodes)
    {
        // Only tolerations that can apply to PreferNoSchedule taints matter for scoring.
        var relevant = (pod.Spec?.Tolerations ?? [])
            .Where(t => string.IsNullOrEmpty(t.Effect) || t.Effect == Tolerations.PreferNoSchedule)
            .ToList();
        state.Write(StateKey, relevant);
        return Status.Success;
    }

    public Status Score(CycleState state, V1Pod pod, NodeInfo nodeInfo, out long score)
    {
        score = 0;
        if (!state.TryRead<List<V1Toleration>>(StateKey, out var tolerations))
        {
            return Status.Error($"{PluginName}: PreScore state missing");
        }

        // Runs for every feasible node of every cycle: no "?? []" here, which would allocate an empty list each time.
        if (nodeInfo.Node.Spec?.Taints is not { } taints)
        {
            return Status.Success;
        }

        foreach (var taint in taints)
        {
            if (taint.Effect == Tolerations.PreferNoSchedule && !Tolerations.AnyTolerates(tolerations, taint))
            {
                score++;
            }
        }

        return Status.Success;
    }

    /// <summary>Fewer intolerable taints is better: scale to 0..100 and reverse.</summary>
    public Status NormalizeScore(CycleState state, V1Pod pod, NodeScore[] scores)
    {
        ScoreNormalizer.Default(scores, reverse: true);
        return Status.Success;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() =>
        [new(EventResource.Node, ActionType.Add | ActionType.UpdateNodeTaint, "NodeTaintChange")];
}
