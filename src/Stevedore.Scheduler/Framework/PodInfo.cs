using k8s.Models;
using Stevedore.Scheduler.Util;

namespace Stevedore.Scheduler.Framework;

/// <summary>A pod with the data the plugins need pre-computed once: requests and parsed affinity terms.</summary>
public sealed class PodInfo
{
    public PodInfo(V1Pod pod)
    {
        Pod = pod;
        Key = pod.Key();
        Requests = PodRequests.Compute(pod);
        NonZeroRequests = PodRequests.ComputeNonZero(pod);
        var affinity = pod.Spec?.Affinity;
        RequiredAffinityTerms = Parse(pod, affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution);
        RequiredAntiAffinityTerms = Parse(pod, affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution);
        PreferredAffinityTerms = ParseWeighted(pod, affinity?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution);
        PreferredAntiAffinityTerms = ParseWeighted(pod, affinity?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution);
    }

    public V1Pod Pod { get; }

    /// <summary>"namespace/name", computed once.</summary>
    public string Key { get; }

    public int Priority => Pod.Priority();

    public Resource Requests { get; }

    public Resource NonZeroRequests { get; }

    public IReadOnlyList<AffinityTerm> RequiredAffinityTerms { get; }

    public IReadOnlyList<AffinityTerm> RequiredAntiAffinityTerms { get; }

    public IReadOnlyList<AffinityTerm> PreferredAffinityTerms { get; }

    public IReadOnlyList<AffinityTerm> PreferredAntiAffinityTerms { get; }

    public bool HasAffinity => RequiredAffinityTerms.Count + RequiredAntiAffinityTerms.Count + PreferredAffinityTerms.Count + PreferredAntiAffinityTerms.Count > 0;

    private static List<AffinityTerm> Parse(V1Pod pod, IList<V1PodAffinityTerm>? terms) =>
        terms is null ? [] : terms.Select(t => new AffinityTerm(pod, t)).ToList();

    private static List<AffinityTerm> ParseWeighted(V1Pod pod, IList<V1WeightedPodAffinityTerm>? terms) =>
        terms is null ? [] : terms.Where(t => t.PodAffinityTerm is not null).Select(t => new AffinityTerm(pod, t.PodAffinityTerm, t.Weight)).ToList();
}
