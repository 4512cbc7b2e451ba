using System.Globalization;
using k8s.Models;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.ReplicaSet;

/// <summary>
/// Orders pods so that the cheapest to lose come first, as upstream ActivePodsWithRanks with
/// LogarithmicScaleDown: unassigned before assigned; Pending before Unknown before Running; not ready
/// before ready; lower pod-deletion-cost first; more siblings on the same node first; ready for less
/// time first; more restarts first; newer first. Time comparisons use log2 buckets of age so that pods
/// of similar age are not told apart by noise, with the UID as the (random but stable) tie-break.
/// </summary>
public sealed class PodDeletionOrder : IComparer<(V1Pod Pod, int Rank)>
{
    /// <summary>Annotation that lets users steer which pods go first (lower cost deleted first).</summary>
    public const string DeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

    private readonly DateTime _now;

    /// <summary>Creates a comparer that measures ages against <paramref name="now"/>.</summary>
    public PodDeletionOrder(DateTime now) => _now = now;

    /// <summary>
    /// The <paramref name="count"/> pods of <paramref name="candidates"/> to delete first. The rank of
    /// a pod is the number of active <paramref name="relatedPods"/> on its node (pods of this controller
    /// and of its sibling ReplicaSets), so doubled-up nodes are relieved first.
    /// </summary>
    public static IReadOnlyList<V1Pod> Choose(IReadOnlyList<V1Pod> candidates, int count, IReadOnlyList<V1Pod> relatedPods, DateTime now)
    {
        if (count <= 0)
        {
            return [];
        }

        var podsOnNode = relatedPods.Where(PodState.IsActive)
            .GroupBy(p => p.Spec?.NodeName ?? string.Empty)
            .ToDictionary(g => g.Key, g => g.Count());
        return candidates
            .Select(p => (Pod: p, Rank: podsOnNode.GetValueOrDefault(p.Spec?.NodeName ?? string.Empty)))
            .OrderBy(x => x, new PodDeletionOrder(now))
            .Take(count)
            .Select(x => x.Pod)
            .ToList();
    }

    /// <inheritdoc />
    public int Compare((V1Pod Pod, int Rank) x, (V1Pod Pod, int Rank) y)
    {
        var (a, b) = (x.Pod, y.Pod);
        var nodeA = a.Spec?.NodeName ?? string.Empty;
        var nodeB = b.Spec?.NodeName ?? string.Empty;
        if (nodeA != nodeB && (nodeA.Length == 0 || nodeB.Length == 0))
        {
            return nodeA.Length == 0 ? -1 : 1;
        }

        var phase = PhaseOrdinal(a).CompareTo(PhaseOrdinal(b));
        if (phase != 0)
        {
            return phase;
        }

        var readyA = PodState.IsReady(a);
        var readyB = PodState.IsReady(b);
        if (readyA != readyB)
        {
            return readyA ? 1 : -1;
        }

        var cost = DeletionCost(a).CompareTo(DeletionCost(b));
        if (cost != 0)
        {
            return cost;
        }

        if (x.Rank != y.Rank)
        {
            return y.Rank.CompareTo(x.Rank);
        }

        if (readyA && readyB)
        {
            var byReady = CompareByAge(PodState.ReadySince(a), PodState.ReadySince(b), a, b);
            if (byReady != 0)
            {
                return byReady;
            }
        }

        var (regularA, sidecarA) = PodState.MaxRestarts(a);
        var (regularB, sidecarB) = PodState.MaxRestarts(b);
        if (regularA != regularB)
        {
            return regularB.CompareTo(regularA);
        }

        if (sidecarA != sidecarB)
        {
            return sidecarB.CompareTo(sidecarA);
        }

        return CompareByAge(a.Metadata?.CreationTimestamp, b.Metadata?.CreationTimestamp, a, b);
    }

    private static int PhaseOrdinal(V1Pod pod) => pod.Status?.Phase switch
    {
        "Pending" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    };

    private static int DeletionCost(V1Pod pod) =>
        pod.Metadata?.Annotations is { } annotations
        && annotations.TryGetValue(DeletionCostAnnotation, out var raw)
        && int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var cost)
            ? cost
            : 0;

    /// <summary>Missing time first, then more recent first; in the same log2 age bucket, by UID.</summary>
    private int CompareByAge(DateTime? timeA, DateTime? timeB, V1Pod a, V1Pod b)
    {
        if (timeA == timeB)
        {
            return 0;
        }

        if (timeA is null || timeB is null)
        {
            return timeA is null ? -1 : 1;
        }

        var bucket = AgeBucket(timeA.Value).CompareTo(AgeBucket(timeB.Value));
        if (bucket != 0)
        {
            return bucket;
        }

        return string.CompareOrdinal(a.Metadata?.Uid, b.Metadata?.Uid);
    }

    /// <summary>floor(log2(age in nanoseconds)), -1 for a time not in the past (upstream logarithmicRankDiff).</summary>
    private long AgeBucket(DateTime time)
    {
        var nanoseconds = (_now - time).Ticks * 100.0;
        return nanoseconds > 0 ? (long)Math.Log2(nanoseconds) : -1;
    }
}
