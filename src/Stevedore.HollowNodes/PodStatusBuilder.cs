using System.Security.Cryptography;
using System.Text;
using k8s.Models;

namespace Stevedore.HollowNodes;

/// <summary>Pod statuses as a kubelet reports them, for containers that exist only on paper.</summary>
public static class PodStatusBuilder
{
    /// <summary>The waiting reason of a container between crashes.</summary>
    public const string CrashLoopBackOff = "CrashLoopBackOff";

    /// <summary>All containers running (and ready), init containers completed.</summary>
    public static V1PodStatus Running(V1Pod pod, PodContext context, int restartCount, V1PodStatus? previous)
    {
        var now = context.Now;
        var startTime = pod.Status?.StartTime ?? now;
        var containers = pod.Spec?.Containers ?? [];
        var statuses = containers.Select(c => Container(pod, c, restartCount, ready: true, started: true,
            new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = now } },
            previous?.ContainerStatuses?.FirstOrDefault(s => s.Name == c.Name)?.LastState)).ToList();
        return Base(pod, context, "Running", startTime, statuses, Conditions(pod, now, sandboxReady: true, ready: true, notReadyReason: null, notReadyMessage: null));
    }

    /// <summary>All containers ended with <paramref name="exitCode"/> and stay ended: phase Succeeded or Failed.</summary>
    public static V1PodStatus Terminated(V1Pod pod, PodContext context, int exitCode, DateTime startedAt)
    {
        var now = context.Now;
        var containers = pod.Spec?.Containers ?? [];
        var restartCount = pod.Status?.ContainerStatuses?.FirstOrDefault()?.RestartCount ?? 0;
        var statuses = containers.Select(c => Container(pod, c, restartCount, ready: false, started: false,
            new V1ContainerState { Terminated = Ended(pod, c, exitCode, startedAt, now, restartCount) }, lastState: null)).ToList();
        var phase = exitCode == 0 ? "Succeeded" : "Failed";
        return Base(pod, context, phase, pod.Status?.StartTime ?? startedAt, statuses, Conditions(pod, now, sandboxReady: false, ready: false, notReadyReason: "PodCompleted", notReadyMessage: null));
    }

    /// <summary>All containers ended with <paramref name="exitCode"/> and wait <paramref name="backoff"/> to be restarted.</summary>
    public static V1PodStatus CrashLooping(V1Pod pod, PodContext context, int exitCode, DateTime startedAt, int restartCount, TimeSpan backoff)
    {
        var now = context.Now;
        var containers = pod.Spec?.Containers ?? [];
        var seconds = (int)backoff.TotalSeconds;
        var statuses = containers.Select(c => Container(pod, c, restartCount, ready: false, started: false,
            new V1ContainerState
            {
                Waiting = new V1ContainerStateWaiting
                {
                    Reason = CrashLoopBackOff,
                    Message = $"back-off {FormatDuration(seconds)} restarting failed container={c.Name} pod={pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}({pod.Metadata.Uid})",
                },
            },
            new V1ContainerState { Terminated = Ended(pod, c, exitCode, startedAt, now, restartCount - 1) })).ToList();
        var unready = "containers with unready status: [" + string.Join(' ', containers.Select(c => c.Name)) + "]";
        return Base(pod, context, "Running", pod.Status?.StartTime ?? startedAt, statuses, Conditions(pod, now, sandboxReady: true, ready: false, notReadyReason: "ContainersNotReady", notReadyMessage: unready));
    }

    /// <summary>The containerID of a hollow container.</summary>
    public static string ContainerId(V1Pod pod, string containerName, int restartCount) =>
        restartCount == 0 ? $"hollow://{pod.Metadata.Uid}-{containerName}" : $"hollow://{pod.Metadata.Uid}-{containerName}-{restartCount}";

    /// <summary>A stable, digest-shaped imageID for an image reference.</summary>
    public static string ImageId(string? image) =>
        "hollow://sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(image ?? "")));

    private static V1PodStatus Base(V1Pod pod, PodContext context, string phase, DateTime startTime, List<V1ContainerStatus> statuses, List<V1PodCondition> conditions)
    {
        var initStatuses = pod.Spec?.InitContainers is { Count: > 0 } inits
            ? inits.Select(c => Container(pod, c, 0, ready: true, started: false,
                new V1ContainerState { Terminated = Ended(pod, c, 0, startTime, startTime, 0) }, lastState: null)).ToList()
            : null;
        return new V1PodStatus
        {
            Phase = phase,
            Conditions = conditions,
            HostIP = context.HostIp,
            HostIPs = [new V1HostIP { Ip = context.HostIp }],
            PodIP = context.PodIp,
            PodIPs = [new V1PodIP { Ip = context.PodIp }],
            StartTime = startTime,
            QosClass = pod.Status?.QosClass,
            InitContainerStatuses = initStatuses,
            ContainerStatuses = statuses,
        };
    }

    private static V1ContainerStatus Container(V1Pod pod, V1Container container, int restartCount, bool ready, bool started, V1ContainerState state, V1ContainerState? lastState) => new()
    {
        Name = container.Name,
        Image = container.Image,
        ImageID = ImageId(container.Image),
        ContainerID = ContainerId(pod, container.Name, restartCount),
        Ready = ready,
        Started = started,
        RestartCount = restartCount,
        State = state,
        LastState = lastState ?? new V1ContainerState(),
    };

    private static V1ContainerStateTerminated Ended(V1Pod pod, V1Container container, int exitCode, DateTime startedAt, DateTime finishedAt, int restartCount) => new()
    {
        ExitCode = exitCode,
        Reason = exitCode == 0 ? "Completed" : "Error",
        StartedAt = startedAt,
        FinishedAt = finishedAt,
        ContainerID = ContainerId(pod, container.Name, restartCount),
    };

    private static List<V1PodCondition> Conditions(V1Pod pod, DateTime now, bool sandboxReady, bool ready, string? notReadyReason, string? notReadyMessage) =>
    [
        Condition(pod, "PodReadyToStartContainers", sandboxReady, null, null, now),
        Condition(pod, "Initialized", true, null, null, now),
        Condition(pod, "Ready", ready, notReadyReason, notReadyMessage, now),
        Condition(pod, "ContainersReady", ready, notReadyReason, notReadyMessage, now),
        Condition(pod, "PodScheduled", true, null, null, now),
    ];

    private static V1PodCondition Condition(V1Pod pod, string type, bool value, string? reason, string? message, DateTime now)
    {
        var status = value ? "True" : "False";
        var old = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == type);
        return new V1PodCondition
        {
            Type = type,
            Status = status,
            Reason = value ? null : reason,
            Message = value ? null : message,
            LastProbeTime = null,
            LastTransitionTime = old is not null && old.Status == status && old.LastTransitionTime is { } t ? t : now,
        };
    }

    private static string FormatDuration(int seconds) =>
        seconds >= 60 && seconds % 60 == 0 ? $"{seconds / 60}m0s" : seconds >= 60 ? $"{seconds / 60}m{seconds % 60}s" : $"{Math.Max(seconds, 0)}s";
}
