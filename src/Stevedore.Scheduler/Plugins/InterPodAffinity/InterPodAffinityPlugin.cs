using k8s.Models;
using Stevedore.Scheduler.Framework;

namespace Stevedore.Scheduler.Plugins.InterPodAffinity;

/// <summary>
/// Pod affinity and anti-affinity across a topology (nodes sharing a label value): the incoming
/// pod's required terms, existing pods' required anti-affinity against the incoming pod, and a
/// score from preferred terms in both directions (plus existing pods' required affinity with
/// the hard-affinity weight).
/// </summary>
public sealed class InterPodAffinityPlugin : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin, IEnqueueExtensions
{
    public const string PluginName = "InterPodAffinity";

    public const string ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
    public const string ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
    public const string ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";

    private const string StateKey = "PreFilter" + PluginName;
    private const string ScoreStateKey = "PreScore" + PluginName;

    private readonly int _hardPodAffinityWeight;

    public InterPodAffinityPlugin(int hardPodAffinityWeight = 1) => _hardPodAffinityWeight = hardPodAffinityWeight;

    public string Name => PluginName;

    public Status PreFilter(CycleState state, V1Pod pod, ClusterSnapshot snapshot)
    {
        var podInfo = new PodInfo(pod);
        var s = new FilterState(podInfo);
        var hasOwnTerms = podInfo.RequiredAffinityTerms.Count + podInfo.RequiredAntiAffinityTerms.Count > 0;

        // Existing pods' required anti-affinity: only nodes running such pods can contribute.
        foreach (var node in snapshot.NodesWithRequiredAntiAffinityPods)
        {
            if (node.Labels is not { } labels)
            {
                continue;
            }

            foreach (var existing in node.PodsWithRequiredAntiAffinity)
            {
                foreach (var term in existing.RequiredAntiAffinityTerms)
                {
                    if (labels.TryGetValue(term.TopologyKey, out var value) && term.Matches(pod, snapshot))
                    {
                        Increment(s.ExistingAntiAffinityCounts, term.TopologyKey, value, 1);
                    }
                }
            }
        }

        // The pod's own required terms can match any pod on any node.
        if (hasOwnTerms)
        {
            foreach (var node in snapshot.Nodes)
            {
                if (node.Labels is not { } labels)
                {
                    continue;
                }

                foreach (var existing in node.Pods)
                {
                    if (podInfo.RequiredAffinityTerms.Count > 0 && MatchesAll(podInfo.RequiredAffinityTerms, existing.Pod, snapshot))
                    {
                        foreach (var term in podInfo.RequiredAffinityTerms)
                        {
                            if (labels.TryGetValue(term.TopologyKey, out var value))
                            {
                                Increment(s.AffinityCounts, term.TopologyKey, value, 1);
                            }
                        }
                    }

                    foreach (var term in podInfo.RequiredAntiAffinityTerms)
                    {
                        if (labels.TryGetValue(term.TopologyKey, out var value) && term.Matches(existing.Pod, snapshot))
                        {
                            Increment(s.AntiAffinityCounts, term.TopologyKey, value, 1);
                        }
                    }
                }
            }
        }

        if (!hasOwnTerms && s.ExistingAntiAffinityCounts.Count == 0)
        {
            return Status.Skip;
        }

        s.PodMatchesOwnAffinity = podInfo.RequiredAffinityTerms.Count > 0 && MatchesAll(podInfo.RequiredAffinityTerms, pod, snapshot);
        state.Write(StateKey, s);
        return Status.Success;
    }

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (!state.TryRead<FilterState>(StateKey, out var s))
        {
            return Status.Error($"{PluginName}: PreFilter state missing");
        }

        var labels = nodeInfo.Labels ?? new Dictionary<string, string>();
        if (!SatisfiesPodAffinity(s, labels))
        {
            return Status.Unresolvable(ErrReasonAffinityRulesNotMatch);
        }

        foreach (var term in s.PodInfo.RequiredAntiAffinityTerms)
        {
            if (labels.TryGetValue(term.TopologyKey, out var value) && s.AntiAffinityCounts.GetValueOrDefault((term.TopologyKey, value)) > 0)
            {
                return Status.Unschedulable(ErrReasonAntiAffinityRulesNotMatch);
            }
        }

        if (s.ExistingAntiAffinityCounts.Count > 0)
        {
            foreach (var (key, value) in labels)
            {
                if (s.ExistingAntiAffinityCounts.GetValueOrDefault((key, value)) > 0)
                {
                    return Status.Unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch);
                }
            }
        }

        return Status.Success;
    }

    public Status PreScore(CycleState state, V1Pod pod, ClusterSnapshot snapshot, IReadOnlyList<NodeInfo> nodes)
    {
        var podInfo = new PodInfo(pod);
        var hasPreferred = podInfo.PreferredAffinityTerms.Count + podInfo.PreferredAntiAffinityTerms.Count > 0;
        var scores = new Dictionary<(string Key, string Value), long>();

        // Without preferred terms of its own, only existing pods with affinity can change the score.
        foreach (var node in hasPreferred ? snapshot.Nodes : snapshot.NodesWithAffinityPods)
        {
            var labels = node.Labels;
            if (labels is null)
            {
                continue;
            }

            var existingPods = hasPreferred ? node.Pods : node.PodsWithAffinity;
            foreach (var existing in existingPods)
            {
                foreach (var term in podInfo.PreferredAffinityTerms)
                {
                    AddIfMatches(scores, term, existing.Pod, labels, term.Weight, snapshot);
                }

                foreach (var term in podInfo.PreferredAntiAffinityTerms)
                {
                    AddIfMatches(scores, term, existing.Pod, labels, -term.Weight, snapshot);
                }

                if (_hardPodAffinityWeight > 0)
                {
                    foreach (var term in existing.RequiredAffinityTerms)
                    {
                        AddIfMatches(scores, term, pod, labels, _hardPodAffinityWeight, snapshot);
                    }
                }

                foreach (var term in existing.PreferredAffinityTerms)
                {
                    AddIfMatches(scores, term, pod, labels, term.Weight, snapshot);
                }

                foreach (var term in existing.PreferredAntiAffinityTerms)
                {
                    AddIfMatches(scores, term, pod, labels, -term.Weight, snapshot);
                }
            }
        }

        if (scores.Count == 0)
        {
            return Status.Skip;
        }

        state.Write(ScoreStateKey, scores);
        return Status.Success;
    }

    public Status Score(CycleState state, V1Pod pod, NodeInfo nodeInfo, out long score)
    {
        score = 0;
        if (!state.TryRead<Dictionary<(string Key, string Value), long>>(ScoreStateKey, out var scores))
        {
            return Status.Error($"{PluginName}: PreScore state missing");
        }

        var labels = nodeInfo.Labels;
        if (labels is null)
        {
            return Status.Success;
        }

        foreach (var ((key, value), weight) in scores)
        {
            if (labels.TryGetValue(key, out var nodeValue) && nodeValue == value)
            {
                score += weight;
            }
        }

        return Status.Success;
    }

    /// <summary>Min-max scaling to 0..100 (scores may be negative); all equal gives 0.</summary>
    public Status NormalizeScore(CycleState state, V1Pod pod, NodeScore[] scores)
    {
        if (scores.Length == 0)
        {
            return Status.Success;
        }

        var min = scores.Min(s => s.Score);
        var max = scores.Max(s => s.Score);
        var diff = max - min;
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i].Score = diff > 0 ? (long)(NodeScore.MaxNodeScore * ((double)(scores[i].Score - min) / diff)) : 0;
        }

        return Status.Success;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() =>
    [
        new(EventResource.Pod, ActionType.All, "AssignedPodChange"),
        new(EventResource.Node, ActionType.Add | ActionType.UpdateNodeLabel, "NodeLabelChange"),
    ];

    private static bool SatisfiesPodAffinity(FilterState s, IDictionary<string, string> labels)
    {
        var podsExist = true;
        foreach (var term in s.PodInfo.RequiredAffinityTerms)
        {
            if (!labels.TryGetValue(term.TopologyKey, out var value))
            {
                // Every topology key must exist on the node.
                return false;
            }

            if (s.AffinityCounts.GetValueOrDefault((term.TopologyKey, value)) <= 0)
            {
                podsExist = false;
            }
        }

        // The first pod of a group with affinity to itself must be able to land somewhere.
        return podsExist || (s.AffinityCounts.Count == 0 && s.PodMatchesOwnAffinity);
    }

    private static bool MatchesAll(IReadOnlyList<AffinityTerm> terms, V1Pod pod, ClusterSnapshot snapshot)
    {
        foreach (var term in terms)
        {
            if (!term.Matches(pod, snapshot))
            {
                return false;
            }
        }

        return true;
    }

    private static void AddIfMatches(Dictionary<(string, string), long> scores, AffinityTerm term, V1Pod pod, IDictionary<string, string> labels, long weight, ClusterSnapshot snapshot)
    {
        if (weight != 0 && labels.TryGetValue(term.TopologyKey, out var value) && term.Matches(pod, snapshot))
        {
            Increment(scores, term.TopologyKey, value, weight);
        }
    }

    private static void Increment(Dictionary<(string, string), long> counts, string key, string value, long delta) =>
        counts[(key, value)] = counts.GetValueOrDefault((key, value)) + delta;

    private sealed class FilterState(PodInfo podInfo)
    {
        public PodInfo PodInfo { get; } = podInfo;

        public Dictionary<(string Key, string Value), long> ExistingAntiAffinityCounts { get; } = [];

        public Dictionary<(string Key, string Value), long> AffinityCounts { get; } = [];

        public Dictionary<(string Key, string Value), long> AntiAffinityCounts { get; } = [];

        public bool PodMatchesOwnAffinity { get; set; }
    }
}
