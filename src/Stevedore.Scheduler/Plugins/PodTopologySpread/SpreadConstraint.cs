using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Util;

namespace Stevedore.Scheduler.Plugins.PodTopologySpread;

/// <summary>A parsed topology spread constraint of the incoming pod.</summary>
internal sealed class SpreadConstraint
{
    public SpreadConstraint(V1Pod pod, V1TopologySpreadConstraint c)
    {
        TopologyKey = c.TopologyKey;
        MaxSkew = c.MaxSkew;
        MinDomains = c.MinDomains is > 0 ? c.MinDomains.Value : 1;
        HonorNodeAffinity = c.NodeAffinityPolicy is null or "Honor";
        HonorNodeTaints = c.NodeTaintsPolicy == "Honor";
        IEnumerable<KeyValuePair<string, string>>? extra = null;
        if (c.MatchLabelKeys is { Count: > 0 } keys && pod.Metadata?.Labels is { } labels)
        {
            extra = keys.Where(labels.ContainsKey).Select(k => new KeyValuePair<string, string>(k, labels[k])).ToList();
        }

        Selector = LabelSelectorMatcher.Compile(c.LabelSelector, extra);
    }

    public string TopologyKey { get; }

    public int MaxSkew { get; }

    public int MinDomains { get; }

    public bool HonorNodeAffinity { get; }

    public bool HonorNodeTaints { get; }

    public LabelSelectorMatcher Selector { get; }

    public static List<SpreadConstraint> Parse(V1Pod pod, string whenUnsatisfiable) =>
        (pod.Spec?.TopologySpreadConstraints ?? [])
            .Where(c => c.WhenUnsatisfiable == whenUnsatisfiable)
            .Select(c => new SpreadConstraint(pod, c))
            .ToList();

    /// <summary>Whether a node counts for this constraint under its node affinity and taint policies.</summary>
    public bool Includes(V1Pod pod, V1Node node)
    {
        if (HonorNodeAffinity && !NodeSelectorMatcher.PodMatchesNode(pod, node))
        {
            return false;
        }

        return !HonorNodeTaints || Tolerations.FindUntolerated(
            node.Spec?.Taints,
            pod.Spec?.Tolerations,
            t => t.Effect is Tolerations.NoSchedule or Tolerations.NoExecute) is null;
    }

    /// <summary>Pods on the node in the pod's namespace, not terminating, that the selector matches.</summary>
    public int CountMatching(NodeInfo node, string ns)
    {
        var n = 0;
        foreach (var p in node.Pods)
        {
            if (p.Pod.Namespace() == ns && !p.Pod.IsTerminating() && Selector.Matches(p.Pod.Metadata?.Labels))
            {
                n++;
            }
        }

        return n;
    }

    public static bool NodeHasAllKeys(IReadOnlyList<SpreadConstraint> constraints, IDictionary<string, string>? labels)
    {
        foreach (var c in constraints)
        {
            if (labels is null || !labels.ContainsKey(c.TopologyKey))
            {
                return false;
            }
        }

        return true;
    }
}
