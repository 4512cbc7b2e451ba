using System.Globalization;
using k8s.Models;

namespace Stevedore.Controllers.Deployment;

/// <summary>
/// Replica arithmetic of rolling updates (upstream deployment util): maxSurge rounds percentages up,
/// maxUnavailable rounds down, and both zero means one may be unavailable so a rollout can progress.
/// </summary>
public static class RolloutMath
{
    private const string DefaultPercent = "25%";

    /// <summary>Spec replicas with the API default of 1.</summary>
    public static int Replicas(V1Deployment d) => d.Spec.Replicas ?? 1;

    /// <summary>True unless the strategy is Recreate (RollingUpdate is the default).</summary>
    public static bool IsRollingUpdate(V1Deployment d) => d.Spec.Strategy?.Type != "Recreate";

    /// <summary>An int or a percentage of <paramref name="total"/>, rounded up or down.</summary>
    public static int ScaledValue(IntOrString? value, int total, bool roundUp)
    {
        var raw = value?.Value ?? "0";
        if (raw.EndsWith('%'))
        {
            var percent = int.Parse(raw.AsSpan(0, raw.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture);
            var scaled = (long)percent * total;
            return (int)(roundUp ? (scaled + 99) / 100 : scaled / 100);
        }

        return int.Parse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }

    /// <summary>(surge, unavailable) for <paramref name="desired"/> replicas; never both zero.</summary>
    public static (int Surge, int Unavailable) ResolveFenceposts(IntOrString? maxSurge, IntOrString? maxUnavailable, int desired)
    {
        var surge = ScaledValue(maxSurge, desired, roundUp: true);
        var unavailable = ScaledValue(maxUnavailable, desired, roundUp: false);
        return surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable);
    }

    /// <summary>Pods allowed above the desired count (0 for Recreate).</summary>
    public static int MaxSurge(V1Deployment d)
    {
        if (!IsRollingUpdate(d))
        {
            return 0;
        }

        var rolling = d.Spec.Strategy?.RollingUpdate;
        return ResolveFenceposts(rolling?.MaxSurge ?? DefaultPercent, rolling?.MaxUnavailable ?? DefaultPercent, Replicas(d)).Surge;
    }

    /// <summary>Pods allowed to be unavailable, capped at the desired count (0 for Recreate or 0 replicas).</summary>
    public static int MaxUnavailable(V1Deployment d)
    {
        if (!IsRollingUpdate(d) || Replicas(d) == 0)
        {
            return 0;
        }

        var rolling = d.Spec.Strategy?.RollingUpdate;
        var unavailable = ResolveFenceposts(rolling?.MaxSurge ?? DefaultPercent, rolling?.MaxUnavailable ?? DefaultPercent, Replicas(d)).Unavailable;
        return Math.Min(unavailable, Replicas(d));
    }

    /// <summary>Sum of spec.replicas.</summary>
    public static int SpecReplicas(IEnumerable<V1ReplicaSet?> sets) => sets.Sum(rs => rs?.Spec.Replicas ?? 0);

    /// <summary>Sum of status.replicas.</summary>
    public static int ActualReplicas(IEnumerable<V1ReplicaSet?> sets) => sets.Sum(rs => rs?.Status?.Replicas ?? 0);

    /// <summary>Sum of status.readyReplicas.</summary>
    public static int ReadyReplicas(IEnumerable<V1ReplicaSet?> sets) => sets.Sum(rs => rs?.Status?.ReadyReplicas ?? 0);

    /// <summary>Sum of status.availableReplicas.</summary>
    public static int AvailableReplicas(IEnumerable<V1ReplicaSet?> sets) => sets.Sum(rs => rs?.Status?.AvailableReplicas ?? 0);

    /// <summary>
    /// Size the new ReplicaSet may grow to now: all of it for Recreate; for RollingUpdate as much as
    /// the surge budget over all ReplicaSets allows, never above the desired count.
    /// </summary>
    public static int NewReplicaSetReplicas(V1Deployment d, IReadOnlyList<V1ReplicaSet> allSets, V1ReplicaSet newSet)
    {
        if (!IsRollingUpdate(d))
        {
            return Replicas(d);
        }

        var current = SpecReplicas(allSets);
        var maxTotal = Replicas(d) + MaxSurge(d);
        var newReplicas = newSet.Spec.Replicas ?? 0;
        if (current >= maxTotal)
        {
            return newReplicas;
        }

        var scaleUp = Math.Min(maxTotal - current, Replicas(d) - newReplicas);
        return newReplicas + scaleUp;
    }

    /// <summary>The new ReplicaSet runs everything the Deployment wants, all available.</summary>
    public static bool IsSaturated(V1Deployment d, V1ReplicaSet? rs)
    {
        if (rs is null)
        {
            return false;
        }

        var desired = ReplicaSetRevisions.ReadIntAnnotation(rs, DeploymentAnnotations.DesiredReplicas);
        return desired == Replicas(d) && rs.Spec.Replicas == Replicas(d) && (rs.Status?.AvailableReplicas ?? 0) == Replicas(d);
    }

    /// <summary>
    /// Share of <paramref name="toAdd"/> for one ReplicaSet during proportional scaling, bounded by what
    /// is left to hand out (upstream GetProportion).
    /// </summary>
    public static int Proportion(V1ReplicaSet? rs, V1Deployment d, int toAdd, int added)
    {
        if (rs is null || (rs.Spec.Replicas ?? 0) == 0 || toAdd == 0 || toAdd == added)
        {
            return 0;
        }

        var fraction = ReplicaSetFraction(rs, d);
        var allowed = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowed) : Math.Max(fraction, allowed);
    }

    private static int ReplicaSetFraction(V1ReplicaSet rs, V1Deployment d)
    {
        var replicas = rs.Spec.Replicas ?? 0;
        if (Replicas(d) == 0)
        {
            return -replicas;
        }

        var deploymentReplicas = Replicas(d) + MaxSurge(d);
        var annotated = ReplicaSetRevisions.ReadIntAnnotation(rs, DeploymentAnnotations.MaxReplicas) ?? d.Status?.Replicas ?? 0;
        if (annotated == 0)
        {
            return 0;
        }

        var size = (double)replicas * deploymentReplicas / annotated;
        return (int)Math.Round(size, MidpointRounding.AwayFromZero) - replicas;
    }
}
