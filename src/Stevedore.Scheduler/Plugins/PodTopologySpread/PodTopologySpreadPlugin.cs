using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Util;

namespace Stevedore.Scheduler.Plugins.PodTopologySpread;

/// <summary>
/// Topology spread constraints: DoNotSchedule constraints filter nodes where placing the pod
/// would make (matching pods in this domain - the global minimum) exceed maxSkew (with
/// minDomains treating a short domain list as minimum 0); ScheduleAnyway constraints score
/// nodes in emptier domains higher. System default constraints are not applied.
/// </summary>
public sealed class PodTopologySpreadPlugin : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin, IEnqueueExtensions
{
    public const string PluginName = "PodTopologySpread";

    public const string ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
    public const string ErrReasonNodeLabelNotMatch = ErrReasonConstraintsNotMatch + " (missing required label)";

    public const string HostnameLabel = "kubernetes.io/hostname";

    private const string StateKey = "PreFilter" + PluginName;
    private const string ScoreStateKey = "PreScore" + PluginName;

    public string Name => PluginName;

    public Status PreFilter(CycleState state, V1Pod pod, ClusterSnapshot snapshot)
    {
        var constraints = SpreadConstraint.Parse(pod, "DoNotSchedule");
        if (constraints.Count == 0)
        {
            return Status.Skip;
        }

        var s = new FilterState(constraints);
        var ns = pod.Namespace();
        foreach (var node in snapshot.Nodes)
        {
            if (!SpreadConstraint.NodeHasAllKeys(constraints, node.Labels))
            {
                continue;
            }

            foreach (var c in constraints)
            {
                if (!c.Includes(pod, node.Node))
                {
                    continue;
                }

                var pair = (c.TopologyKey, node.Labels![c.TopologyKey]);
                s.MatchNum[pair] = s.MatchNum.GetValueOrDefault(pair) + c.CountMatching(node, ns);
            }
        }

        foreach (var ((key, _), count) in s.MatchNum)
        {
            s.MinMatch[key] = s.MinMatch.TryGetValue(key, out var min) ? Math.Min(min, count) : count;
            s.Domains[key] = s.Domains.GetValueOrDefault(key) + 1;
        }

        state.Write(StateKey, s);
        return Status.Success;
    }

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (!state.TryRead<FilterState>(StateKey, out var s))
        {
            return Status.Error($"{PluginName}: PreFilter state missing");
        }

        var labels = nodeInfo.Labels;
        var podLabels = pod.Metadata?.Labels;
        foreach (var c in s.Constraints)
        {
            if (labels is null || !labels.TryGetValue(c.TopologyKey, out var value))
            {
                return Status.Unresolvable(ErrReasonNodeLabelNotMatch);
            }

            var self = c.Selector.Matches(podLabels) ? 1 : 0;
            var matchNum = s.MatchNum.GetValueOrDefault((c.TopologyKey, value));

            // Fewer domains than minDomains: the missing domains count as empty ones.
            var min = s.Domains.GetValueOrDefault(c.TopologyKey) < c.MinDomains ? 0 : s.MinMatch.GetValueOrDefault(c.TopologyKey);
            if (matchNum + self - min > c.MaxSkew)
            {
                return Status.Unschedulable(ErrReasonConstraintsNotMatch);
            }
        }

        return Status.Success;
    }

    public Status PreScore(CycleState state, V1Pod pod, ClusterSnapshot snapshot, IReadOnlyList<NodeInfo> nodes)
    {
        var constraints = SpreadConstraint.Parse(pod, "ScheduleAnyway");
        if (constraints.Count == 0)
        {
            return Status.Skip;
        }

        var s = new ScoreState(constraints);
        var eligible = 0;
        foreach (var node in nodes)
        {
            if (!SpreadConstraint.NodeHasAllKeys(constraints, node.Labels))
            {
                s.IgnoredNodes.Add(node.Name);
                continue;
            }

            eligible++;
            foreach (var c in constraints)
            {
                if (c.TopologyKey != HostnameLabel)
                {
                    s.Counts.TryAdd((c.TopologyKey, node.Labels![c.TopologyKey]), 0);
                }
            }
        }

        // Domains are those of the feasible nodes; their pods are counted over the whole cluster.
        var ns = pod.Namespace();
        foreach (var node in snapshot.Nodes)
        {
            if (!SpreadConstraint.NodeHasAllKeys(constraints, node.Labels))
            {
                continue;
            }

            foreach (var c in constraints)
            {
                if (c.TopologyKey == HostnameLabel || !c.Includes(pod, node.Node))
                {
                    continue;
                }

                var pair = (c.TopologyKey, node.Labels![c.TopologyKey]);
                if (s.Counts.TryGetValue(pair, out var count))
                {
                    s.Counts[pair] = count + c.CountMatching(node, ns);
                }
            }
        }

        foreach (var c in constraints)
        {
            var domains = c.TopologyKey == HostnameLabel ? eligible : s.Counts.Keys.Count(k => k.Key == c.TopologyKey);
            s.Weights.Add(Math.Log(domains + 2));
        }

        state.Write(ScoreStateKey, s);
        return Status.Success;
    }

    public Status Score(CycleState state, V1Pod pod, NodeInfo nodeInfo, out long score)
    {
        score = 0;
        if (!state.TryRead<ScoreState>(ScoreStateKey, out var s))
        {
            return Status.Error($"{PluginName}: PreScore state missing");
        }

        if (s.IgnoredNodes.Contains(nodeInfo.Name))
        {
            return Status.Success;
        }

        var ns = pod.Namespace();
        double total = 0;
        for (var i = 0; i < s.Constraints.Count; i++)
        {
            var c = s.Constraints[i];
            var value = nodeInfo.Labels![c.TopologyKey];
            long count = c.TopologyKey == HostnameLabel
                ? c.CountMatching(nodeInfo, ns)
                : s.Counts.GetValueOrDefault((c.TopologyKey, value));

            // maxSkew-1 softens the preference when a larger skew is tolerated.
            total += (count * s.Weights[i]) + (c.MaxSkew - 1);
        }

        score = (long)Math.Round(total);
        return Status.Success;
    }

    /// <summary>Fewer matching pods is better: 100 * (max + min - score) / max; ignored nodes get 0.</summary>
    public Status NormalizeScore(CycleState state, V1Pod pod, NodeScore[] scores)
    {
        if (!state.TryRead<ScoreState>(ScoreStateKey, out var s))
        {
            return Status.Error($"{PluginName}: PreScore state missing");
        }

        long min = long.MaxValue;
        long max = long.MinValue;
        foreach (var sc in scores)
        {
            if (s.IgnoredNodes.Contains(sc.Name))
            {
                continue;
            }

            min = Math.Min(min, sc.Score);
            max = Math.Max(max, sc.Score);
        }

        for (var i = 0; i < scores.Length; i++)
        {
            if (s.IgnoredNodes.Contains(scores[i].Name))
            {
                scores[i].Score = 0;
            }
            else if (max == 0)
            {
                scores[i].Score = NodeScore.MaxNodeScore;
            }
            else
            {
                scores[i].Score = NodeScore.MaxNodeScore * (max + min - scores[i].Score) / max;
            }
        }

        return Status.Success;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() =>
    [
        new(EventResource.Pod, ActionType.All, "AssignedPodChange"),
        new(EventResource.Node, ActionType.Add | ActionType.Delete | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint, "NodeChange"),
    ];

    private sealed class FilterState(List<SpreadConstraint> constraints)
    {
        public List<SpreadConstraint> Constraints { get; } = constraints;

        public Dictionary<(string Key, string Value), int> MatchNum { get; } = [];

        public Dictionary<string, int> MinMatch { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> Domains { get; } = new(StringComparer.Ordinal);
    }

    private sealed class ScoreState(List<SpreadConstraint> constraints)
    {
        public List<SpreadConstraint> Constraints { get; } = constraints;

        public Dictionary<(string Key, string Value), long> Counts { get; } = [];

        public List<double> Weights { get; } = [];

        public HashSet<string> IgnoredNodes { get; } = new(StringComparer.Ordinal);
    }
}
