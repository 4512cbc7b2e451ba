using k8s.Models;

namespace Stevedore.HollowNodes;

/// <summary>Where a hollow pod runs and when we look at it.</summary>
/// <param name="HostIp">The node's InternalIP.</param>
/// <param name="PodIp">The pod's address (already allocated by the caller).</param>
/// <param name="Now">The current time.</param>
/// <param name="InitialBackoff">Crash-loop back-off before the first restart.</param>
/// <param name="MaxBackoff">Crash-loop back-off cap.</param>
public sealed record PodContext(string HostIp, string PodIp, DateTime Now, TimeSpan InitialBackoff, TimeSpan MaxBackoff);

/// <summary>
/// The pure decision logic of a hollow kubelet: from the pod as it is now (spec, annotations,
/// current status) to the status it should have. Level-triggered: it reads only the pod, so a
/// restarted process picks up where the last one stopped.
/// </summary>
public static class PodLifecycle
{
    /// <summary>Decides what to write for <paramref name="pod"/>.</summary>
    public static PodPlan Plan(V1Pod pod, PodContext context)
    {
        var status = pod.Status;
        if (status?.Phase is "Succeeded" or "Failed")
        {
            return PodPlan.Nothing;
        }

        var script = PodScript.From(pod);
        var containers = pod.Spec?.Containers ?? [];
        var statuses = status?.ContainerStatuses;
        var started = status?.StartTime is not null && status.PodIP is not null && statuses is { Count: > 0 } && status.Phase == "Running";
        if (!started)
        {
            var events = containers.Select(c => new PodEvent("Normal", "Started", $"Started container {c.Name}")).ToList();
            return new PodPlan(PodStatusBuilder.Running(pod, context, restartCount: 0, previous: null), script.ExitCode is null ? null : script.RunFor, events);
        }

        if (script.ExitCode is not { } exitCode)
        {
            return PodPlan.Nothing;
        }

        var first = statuses![0];
        if (first.State?.Running?.StartedAt is { } startedAt)
        {
            var elapsed = context.Now - startedAt;
            if (elapsed < script.RunFor)
            {
                return new PodPlan(null, script.RunFor - elapsed, []);
            }

            return Exit(pod, context, exitCode, startedAt);
        }

        if (first.State?.Waiting?.Reason == PodStatusBuilder.CrashLoopBackOff)
        {
            var finishedAt = first.LastState?.Terminated?.FinishedAt ?? context.Now;
            var due = finishedAt + CrashLoopBackoff.Delay(first.RestartCount, context.InitialBackoff, context.MaxBackoff);
            if (context.Now < due)
            {
                return new PodPlan(null, due - context.Now, []);
            }

            var events = containers.Select(c => new PodEvent("Normal", "Started", $"Started container {c.Name}")).ToList();
            return new PodPlan(PodStatusBuilder.Running(pod, context, first.RestartCount, previous: status), script.RunFor, events);
        }

        return PodPlan.Nothing;
    }

    /// <summary>Whether a container ending with <paramref name="exitCode"/> is restarted under <paramref name="restartPolicy"/>.</summary>
    public static bool Restarts(string? restartPolicy, int exitCode) => restartPolicy switch
    {
        "Never" => false,
        "OnFailure" => exitCode != 0,
        _ => true,
    };

    private static PodPlan Exit(V1Pod pod, PodContext context, int exitCode, DateTime startedAt)
    {
        if (!Restarts(pod.Spec?.RestartPolicy, exitCode))
        {
            return new PodPlan(PodStatusBuilder.Terminated(pod, context, exitCode, startedAt), null, []);
        }

        var restartCount = pod.Status!.ContainerStatuses![0].RestartCount + 1;
        var backoff = CrashLoopBackoff.Delay(restartCount, context.InitialBackoff, context.MaxBackoff);
        var events = (pod.Spec?.Containers ?? [])
            .Select(c => new PodEvent("Warning", "BackOff", $"Back-off restarting failed container {c.Name} in pod {pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}({pod.Metadata.Uid})"))
            .ToList();
        return new PodPlan(PodStatusBuilder.CrashLooping(pod, context, exitCode, startedAt, restartCount, backoff), backoff, events);
    }
}
