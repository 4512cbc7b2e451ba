using k8s.Models;

namespace Stevedore.Scheduler.Util;

/// <summary>Small pod accessors shared by plugins and the queue.</summary>
public static class PodExtensions
{
    /// <summary><c>spec.priority</c>, 0 when unset (the admission plugin normally fills it in).</summary>
    public static int Priority(this V1Pod pod) => pod.Spec?.Priority ?? 0;

    /// <summary>"namespace/name", the identity used by the queue and the snapshot.</summary>
    public static string Key(this V1Pod pod) => $"{pod.Metadata?.NamespaceProperty ?? "default"}/{pod.Metadata?.Name}";

    public static string Namespace(this V1Pod pod) => pod.Metadata?.NamespaceProperty ?? "default";

    public static bool IsTerminating(this V1Pod pod) => pod.Metadata?.DeletionTimestamp is not null;

    /// <summary>When the pod started (status.startTime, else creation), for "more important" tie-breaks.</summary>
    public static DateTime StartTime(this V1Pod pod) => pod.Status?.StartTime ?? pod.Metadata?.CreationTimestamp ?? DateTime.MaxValue;
}
