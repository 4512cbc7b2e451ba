using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Util;

namespace Stevedore.Scheduler.Plugins.NodeAffinity;

/// <summary>
/// Enforces <c>nodeSelector</c> and required node affinity (matchExpressions with
/// In/NotIn/Exists/DoesNotExist/Gt/Lt, matchFields on metadata.name); scores nodes by the
/// summed weights of the preferred terms they match.
/// </summary>
public sealed class NodeAffinityPlugin : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin, IEnqueueExtensions
{
    public const string PluginName = "NodeAffinity";

    public const string ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";

    private const string ScoreStateKey = "PreScore" + PluginName;

    public string Name => PluginName;

    public Status PreFilter(CycleState state, V1Pod pod, ClusterSnapshot snapshot)
    {
        var hasSelector = pod.Spec?.NodeSelector is { Count: > 0 };
        var hasRequired = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution is not null;
        return hasSelector || hasRequired ? Status.Success : Status.Skip;
    }

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo) =>
        NodeSelectorMatcher.PodMatchesNode(pod, nodeInfo.Node) ? Status.Success : Status.Unresolvable(ErrReasonPod);

    public Status PreScore(CycleState state, V1Pod pod, ClusterSnapshot snapshot, IReadOnlyList<NodeInfo> nodes)
    {
        var preferred = pod.Spec?.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution;
        if (preferred is null || preferred.Count == 0)
        {
            return Status.Skip;
        }

        state.Write(ScoreStateKey, preferred);
        return Status.Success;
    }

    public Status Score(CycleState state, V1Pod pod, NodeInfo nodeInfo, out long score)
    {
        score = 0;
        if (!state.TryRead<IList<V1PreferredSchedulingTerm>>(ScoreStateKey, out var preferred))
        {
            return Status.Error($"{PluginName}: PreScore state missing");
        }

        foreach (var term in preferred)
        {
            if (term.Weight != 0 && term.Preference is not null && NodeSelectorMatcher.MatchesTerm(term.Preference, nodeInfo.Node))
            {
                score += term.Weight;
            }
        }

        return Status.Success;
    }

    public Status NormalizeScore(CycleState state, V1Pod pod, NodeScore[] scores)
    {
        ScoreNormalizer.Default(scores, reverse: false);
        return Status.Success;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() =>
        [new(EventResource.Node, ActionType.Add | ActionType.UpdateNodeLabel, "NodeLabelChange")];
}
