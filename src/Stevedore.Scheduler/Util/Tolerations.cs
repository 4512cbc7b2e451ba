using k8s.Models;

namespace Stevedore.Scheduler.Util;

/// <summary>Toleration matching as upstream <c>v1.Toleration.ToleratesTaint</c>.</summary>
public static class Tolerations
{
    public const string NoSchedule = "NoSchedule";
    public const string PreferNoSchedule = "PreferNoSchedule";
    public const string NoExecute = "NoExecute";

    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect)
        {
            return false;
        }

        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key)
        {
            return false;
        }

        return toleration.OperatorProperty switch
        {
            "Exists" => true,
            null or "" or "Equal" => (toleration.Value ?? string.Empty) == (taint.Value ?? string.Empty),
            _ => false,
        };
    }

    public static bool AnyTolerates(IList<V1Toleration>? tolerations, V1Taint taint)
    {
        if (tolerations is null)
        {
            return false;
        }

        foreach (var t in tolerations)
        {
            if (Tolerates(t, taint))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first taint passing <paramref name="include"/> that no toleration tolerates, or null.</summary>
    public static V1Taint? FindUntolerated(IList<V1Taint>? taints, IList<V1Toleration>? tolerations, Func<V1Taint, bool> include)
    {
        if (taints is null)
        {
            return null;
        }

        foreach (var taint in taints)
        {
            if (include(taint) && !AnyTolerates(tolerations, taint))
            {
                return taint;
            }
        }

        return null;
    }
}
