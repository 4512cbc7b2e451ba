using k8s.Models;

namespace Stevedore.Controllers.Common;

/// <summary>Pod predicates shared by the workload controllers (upstream podutil / controller_utils).</summary>
public static class PodState
{
    /// <summary>A pod counts towards a controller's replicas until it is terminating or has finished.</summary>
    public static bool IsActive(V1Pod pod) =>
        pod.Status?.Phase != "Succeeded" && pod.Status?.Phase != "Failed" && pod.Metadata?.DeletionTimestamp is null;

    /// <summary>True when the pod's Ready condition is True.</summary>
    public static bool IsReady(V1Pod pod) => ReadyCondition(pod)?.Status == "True";

    /// <summary>When the pod last became Ready, or null when it is not ready.</summary>
    public static DateTime? ReadySince(V1Pod pod)
    {
        var ready = ReadyCondition(pod);
        return ready?.Status == "True" ? ready.LastTransitionTime : null;
    }

    /// <summary>
    /// Ready for at least <paramref name="minReadySeconds"/>. With 0 a ready pod is available at once;
    /// otherwise the ready transition must be strictly older than the window, as upstream.
    /// </summary>
    public static bool IsAvailable(V1Pod pod, int minReadySeconds, DateTime now)
    {
        var ready = ReadyCondition(pod);
        if (ready?.Status != "True")
        {
            return false;
        }

        if (minReadySeconds == 0)
        {
            return true;
        }

        return ready.LastTransitionTime is { } since && since.AddSeconds(minReadySeconds) < now;
    }

    /// <summary>Highest restart count among regular containers, then among restartable init (sidecar) containers.</summary>
    public static (int Regular, int Sidecar) MaxRestarts(V1Pod pod)
    {
        var regular = pod.Status?.ContainerStatuses?.Select(c => c.RestartCount).DefaultIfEmpty(0).Max() ?? 0;
        var sidecarNames = pod.Spec?.InitContainers?.Where(c => c.RestartPolicy == "Always").Select(c => c.Name).ToHashSet()
            ?? [];
        var sidecar = pod.Status?.InitContainerStatuses?.Where(c => sidecarNames.Contains(c.Name))
            .Select(c => c.RestartCount).DefaultIfEmpty(0).Max() ?? 0;
        return (regular, sidecar);
    }

    private static V1PodCondition? ReadyCondition(V1Pod pod) =>
        pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
}
