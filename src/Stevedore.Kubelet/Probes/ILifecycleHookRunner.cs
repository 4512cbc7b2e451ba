using k8s.Models;

namespace Stevedore.Kubelet.Probes;

/// <summary>Runs postStart and preStop handlers (exec, httpGet, sleep) against a running container.</summary>
public interface ILifecycleHookRunner
{
    /// <summary>Runs the handler; returns null on success or upstream's failure message (for the FailedPostStartHook / FailedPreStopHook event).</summary>
    Task<string?> RunAsync(V1Pod pod, V1Container container, string containerId, V1LifecycleHandler handler, CancellationToken cancellationToken);
}
