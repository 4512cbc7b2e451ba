namespace Stevedore.Kubelet.Pods;

/// <summary>
/// The labels and annotations the agent puts on CRI sandboxes and containers, with upstream's keys,
/// so crictl, the streaming server and a restarted agent can tell which pod and container they are.
/// </summary>
public static class CriLabels
{
    public const string PodName = "io.kubernetes.pod.name";
    public const string PodNamespace = "io.kubernetes.pod.namespace";
    public const string PodUid = "io.kubernetes.pod.uid";
    public const string ContainerName = "io.kubernetes.container.name";

    /// <summary>Annotation: a hash of the container's spec; a different hash means the spec changed (restart).</summary>
    public const string ContainerHash = "io.kubernetes.container.hash";

    /// <summary>Annotation: how many times this container had been restarted when this instance was created.</summary>
    public const string ContainerRestartCount = "io.kubernetes.container.restartCount";

    /// <summary>Annotation: the pod's terminationGracePeriodSeconds, for killing an orphan whose pod is gone.</summary>
    public const string PodTerminationGracePeriod = "io.kubernetes.pod.terminationGracePeriod";

    /// <summary>Annotation: the container's terminationMessagePath inside the container.</summary>
    public const string TerminationMessagePath = "io.kubernetes.container.terminationMessagePath";

    /// <summary>Annotation: the container's terminationMessagePolicy (File or FallbackToLogsOnError).</summary>
    public const string TerminationMessagePolicy = "io.kubernetes.container.terminationMessagePolicy";

    /// <summary>Annotation on a pod (and its mirror): where the pod came from (<c>api</c> or <c>file</c>).</summary>
    public const string ConfigSource = "kubernetes.io/config.source";

    /// <summary>Annotation on a mirror pod: the static pod's hash (its UID on this node).</summary>
    public const string ConfigMirror = "kubernetes.io/config.mirror";

    /// <summary>Annotation on a static pod and its mirror: the static pod's hash.</summary>
    public const string ConfigHash = "kubernetes.io/config.hash";
}
