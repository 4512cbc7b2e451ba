using k8s.Models;

namespace Stevedore.Controllers.NodeLifecycle;

/// <summary>
/// NoExecute eviction (upstream taint eviction controller): a pod that does not tolerate every
/// NoExecute taint of its node is deleted at once; one that tolerates them all is deleted when the
/// shortest tolerationSeconds runs out, counted from when the taint was added; without any
/// tolerationSeconds it stays forever.
/// </summary>
public static class TaintEviction
{
    /// <summary>When to delete <paramref name="pod"/> on a node with <paramref name="nodeTaints"/>; null = never.</summary>
    public static DateTime? EvictionTime(V1Pod pod, IEnumerable<V1Taint>? nodeTaints, DateTime now)
    {
        var taints = (nodeTaints ?? []).Where(t => t.Effect == "NoExecute").ToList();
        if (taints.Count == 0)
        {
            return null;
        }

        var tolerations = pod.Spec?.Tolerations ?? [];
        var used = new List<V1Toleration>();
        foreach (var taint in taints)
        {
            var toleration = tolerations.FirstOrDefault(t => Tolerates(t, taint));
            if (toleration is null)
            {
                return now;
            }

            used.Add(toleration);
        }

        var seconds = used.Where(t => t.TolerationSeconds is not null).Select(t => Math.Max(0, t.TolerationSeconds!.Value)).ToList();
        if (seconds.Count == 0)
        {
            return null;
        }

        var since = taints.Select(t => t.TimeAdded ?? now).Min();
        return since.AddSeconds(seconds.Min());
    }

    /// <summary>Upstream ToleratesTaint: effect and key must match when set; Exists ignores the value.</summary>
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
            null or "" or "Equal" => (toleration.Value ?? string.Empty) == (taint.Value ?? string.Empty),
            "Exists" => true,
            _ => false,
        };
    }
}
