using k8s.Models;
using Stevedore.Scheduler.Util;

namespace Stevedore.Scheduler.Framework;

/// <summary>
/// A parsed pod (anti-)affinity term. It selects pods whose labels match <see cref="Selector"/>
/// in the listed namespaces or in namespaces matching <see cref="NamespaceSelector"/>; with
/// neither given, only the owning pod's namespace.
/// </summary>
public sealed class AffinityTerm
{
    public AffinityTerm(V1Pod owner, V1PodAffinityTerm term, int weight = 0)
    {
        TopologyKey = term.TopologyKey ?? string.Empty;
        Weight = weight;
        IEnumerable<KeyValuePair<string, string>>? extra = null;
        if (term.MatchLabelKeys is { Count: > 0 } keys && owner.Metadata?.Labels is { } ownerLabels)
        {
            extra = keys.Where(ownerLabels.ContainsKey).Select(k => new KeyValuePair<string, string>(k, ownerLabels[k])).ToList();
        }

        Selector = LabelSelectorMatcher.Compile(term.LabelSelector, extra);
        Namespaces = new HashSet<string>(term.Namespaces ?? [], StringComparer.Ordinal);
        NamespaceSelector = term.NamespaceSelector is null ? LabelSelectorMatcher.Nothing : LabelSelectorMatcher.Compile(term.NamespaceSelector);
        if (Namespaces.Count == 0 && term.NamespaceSelector is null)
        {
            Namespaces.Add(owner.Namespace());
        }
    }

    public string TopologyKey { get; }

    /// <summary>Weight for preferred terms; 0 for required ones.</summary>
    public int Weight { get; }

    public LabelSelectorMatcher Selector { get; }

    public HashSet<string> Namespaces { get; }

    public LabelSelectorMatcher NamespaceSelector { get; }

    /// <summary>True when <paramref name="pod"/> is selected by this term.</summary>
    public bool Matches(V1Pod pod, ClusterSnapshot snapshot)
    {
        var ns = pod.Namespace();
        if (!Namespaces.Contains(ns) && !NamespaceSelector.Matches(snapshot.NamespaceLabels(ns)))
        {
            return false;
        }

        return Selector.Matches(pod.Metadata?.Labels);
    }
}
