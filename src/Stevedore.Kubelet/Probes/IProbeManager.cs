using k8s.Models;

namespace Stevedore.Kubelet.Probes;

/// <summary>
/// Runs the startup, liveness and readiness probes of running containers with upstream timing
/// (initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold, failureThreshold).
/// The pod worker adds a container when it has started and removes it when it stops; it reads
/// the results for status and acts on liveness/startup failures by restarting the container.
/// </summary>
public interface IProbeManager
{
    /// <summary>Starts probing one container instance (identified by its CRI container ID).</summary>
    void AddContainer(V1Pod pod, V1Container container, string containerId, DateTimeOffset startedAt);

    /// <summary>Stops probing a container instance. Idempotent.</summary>
    void RemoveContainer(string containerId);

    /// <summary>True when the readiness probe passes (or there is none and the container has started).</summary>
    bool IsReady(string containerId);

    /// <summary>True once the startup probe has passed (or there is none).</summary>
    bool IsStarted(string containerId);

    /// <summary>
    /// Raised when a liveness or startup probe has failed failureThreshold times in a row: the pod
    /// worker kills the container (with the pod's grace period) and lets restartPolicy decide.
    /// Also raised on every state change of readiness so status can be written promptly.
    /// </summary>
    event Action<ProbeEvent>? ProbeChanged;
}

/// <summary>One change of a probe's result, with upstream's event message (e.g. "Liveness probe failed: ...").</summary>
public sealed record ProbeEvent(string PodUid, string ContainerName, string ContainerId, ProbeKind Kind, bool Healthy, string Message);

/// <summary>The three probe kinds.</summary>
public enum ProbeKind
{
    Startup,
    Liveness,
    Readiness,
}
