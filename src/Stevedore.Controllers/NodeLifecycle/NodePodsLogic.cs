using k8s.Models;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.NodeLifecycle;

/// <summary>What happens to the pods of a node that stopped being Ready (upstream MarkPodsNotReady).</summary>
public static class NodePodsLogic
{
    /// <summary>
    /// When the node's Ready condition just left True, every pod on it still reported Ready gets its
    /// Ready condition set to False (so Services stop sending traffic). Returns the status to write per pod.
    /// </summary>
    public static IReadOnlyList<(V1Pod Pod, V1PodStatus Status)> MarkNotReady(string nodeReady, IEnumerable<V1Pod> podsOnNode, DateTime now)
    {
        if (nodeReady == "True")
        {
            return [];
        }

        var result = new List<(V1Pod, V1PodStatus)>();
        foreach (var pod in podsOnNode.Where(p => PodState.IsReady(p) && p.Metadata.DeletionTimestamp is null))
        {
            var status = ObjectCopy.Deep(pod.Status);
            var ready = status.Conditions.First(c => c.Type == "Ready");
            ready.Status = "False";
            ready.LastTransitionTime = now;
            result.Add((pod, status));
        }

        return result;
    }
}
