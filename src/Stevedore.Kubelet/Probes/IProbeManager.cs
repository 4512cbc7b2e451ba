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
    /// <summary>
    /// Starts probing one container instance (identified by its CRI container ID). <paramref name="pod"/>'s
    /// <c>status.podIP</c> must already hold the sandbox's IP: it is the host of httpGet, tcpSocket and grpc
    /// probes that name none. Adding an ID that is already probed does nothing.
    /// </summary>
    void AddContainer(V1Pod pod, V1Container container, string containerId, DateTimeOffset startedAt);

    /// <summary>Stops probing a container instance. Idempotent.</summary>
    void RemoveContainer(string containerId);

    /// <summary>True when the readiness probe passes (or there is none and the container has started). False for an unknown ID.</summary>
    bool IsReady(string containerId);

    /// <summary>True once the startup probe has passed (or there is none). False for an unknown ID.</summary>
    bool IsStarted(string containerId);

    /// <summary>
    /// Raised when a liveness or startup probe has failed failureThreshold times in a row (Healthy false):
    /// the pod worker kills the container (with <see cref="ProbeEvent.KillGracePeriodSeconds"/> or the pod's
    /// grace period) and lets restartPolicy decide. Also raised when the startup probe passes and on every
    /// change of readiness, so status can be written promptly.
    /// </summary>
    event Action<ProbeEvent>? ProbeChanged;
}

/// <summary>One change of a probe's result, with upstream's event message (e.g. "Liveness probe failed: ...").</summary>
public sealed record ProbeEvent(string PodUid, string ContainerName, string ContainerId, ProbeKind Kind, bool Healthy, string Message)
{
    /// <summary>
    /// For a liveness or startup failure: the probe's own terminationGracePeriodSeconds, which overrides the
    /// pod's for this kill; null when the probe sets none (use the pod's).
    /// </summary>
    public long? KillGracePeriodSeconds { get; init; }

    /// <summary>
    /// True when the probe manager already recorded an Unhealthy event for every failed attempt (as upstream
    /// does), so whoever handles this change must not record another for the same failure.
    /// </summary>
    public bool AttemptsRecorded { get; init; }
}

/// <summary>The three probe kinds.</summary>
public enum ProbeKind
{
    Startup,
    Liveness,
    Readiness,
}
