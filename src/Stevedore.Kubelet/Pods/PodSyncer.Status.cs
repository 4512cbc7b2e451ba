using k8s.Models;

namespace Stevedore.Kubelet.Pods;

/// <summary>
/// A running sync computes the pod's status and goes on (to the sandbox, the containers) while the write
/// travels to the API server through <see cref="StatusWriteQueue"/>, as upstream's pod workers hand
/// statuses to the status manager: a slow API server no longer delays a pod's sandbox. Termination stops
/// the queue's writes for the pod before it writes the final status and deletes the pod.
/// </summary>
internal sealed partial class PodSyncer
{
    /// <summary>Computes the pod's status and queues its write (skipped there when the API holds it already); returns the status at once.</summary>
    private V1PodStatus ReportStatus(V1Pod pod, PodState state, RuntimePod runtime, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata.Uid;
        var status = GenerateStatus(pod, state, runtime, podIsTerminal: false);
        var startup = status.Phase == "Running" && _startups.IsTracking(uid);
        if (startup)
        {
            _startups.Mark(uid, PodStartupStep.RunningSeen);
        }

        _statusWrites.Queue(uid, $"Status of pod {SandboxConfigs.NamespaceOf(pod)}/{pod.Metadata.Name}", async ct =>
        {
            await PutStatusAsync(pod, state, status, ct).ConfigureAwait(false);
            if (startup)
            {
                _startups.Reported(uid, SandboxConfigs.NamespaceOf(pod), pod.Metadata.Name);
            }
        }, cancellationToken);
        return status;
    }
}
