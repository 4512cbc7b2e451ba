using k8s.Models;

namespace Stevedore.Controllers.NodeLifecycle;

/// <summary>
/// The DefaultTolerationSeconds admission step: pods that do not already tolerate the not-ready and
/// unreachable NoExecute taints get tolerations for them with 300 s, so a brief node outage does not
/// evict everything at once.
/// </summary>
public static class DefaultTolerationSeconds
{
    /// <summary>Upstream default-not-ready-toleration-seconds and default-unreachable-toleration-seconds.</summary>
    public const long Seconds = 300;

    /// <summary>Adds the missing default tolerations to <paramref name="pod"/>; returns whether it changed.</summary>
    public static bool Apply(V1Pod pod)
    {
        pod.Spec ??= new V1PodSpec();
        var tolerations = new List<V1Toleration>(pod.Spec.Tolerations ?? []);
        var changed = false;
        foreach (var key in new[] { NodeTaintKeys.NotReady, NodeTaintKeys.Unreachable })
        {
            var covered = tolerations.Any(t => (string.IsNullOrEmpty(t.Key) || t.Key == key) && (string.IsNullOrEmpty(t.Effect) || t.Effect == "NoExecute"));
            if (!covered)
            {
                tolerations.Add(new V1Toleration { Key = key, OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = Seconds });
                changed = true;
            }
        }

        if (changed)
        {
            pod.Spec.Tolerations = tolerations;
        }

        return changed;
    }
}
