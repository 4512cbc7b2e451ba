namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// A pod's configuration cannot be realised yet (a missing ConfigMap, Secret or key, a hostPath of
/// the wrong type). Not a bug: the pod worker reports <see cref="Reason"/> in the container's waiting
/// state and an event, and retries with backoff, so the pod starts by itself once the source exists.
/// </summary>
public sealed class PodConfigException(string reason, string message) : Exception(message)
{
    /// <summary>"CreateContainerConfigError" or "FailedMount", as upstream reports them.</summary>
    public string Reason { get; } = reason;
}
