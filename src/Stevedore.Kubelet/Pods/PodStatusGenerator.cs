using k8s;
using k8s.Models;

namespace Stevedore.Kubelet.Pods;

/// <summary>Why a container is waiting, from the last attempt to start it (upstream's reason cache).</summary>
public sealed record ContainerWaiting(string Reason, string Message);

/// <summary>Everything a pod's status is computed from; nothing else is read.</summary>
public sealed record PodStatusInputs
{
    /// <summary>The pod: its spec, and in <c>Status</c> the status the API server holds now.</summary>
    public required V1Pod Pod { get; init; }

    /// <summary>What the runtime reports for the pod.</summary>
    public required RuntimePod Runtime { get; init; }

    /// <summary>The runtime's name, the scheme of container IDs (<c>stevedore://…</c>, <c>containerd://…</c>).</summary>
    public required string RuntimeName { get; init; }

    /// <summary>The node's address (hostIP, and podIP of host-network pods).</summary>
    public string? NodeIp { get; init; }

    public required DateTime Now { get; init; }

    /// <summary>Per container name: why its last start failed or is held back (ErrImagePull, CrashLoopBackOff, ...).</summary>
    public IReadOnlyDictionary<string, ContainerWaiting> Waiting { get; init; } = new Dictionary<string, ContainerWaiting>();

    /// <summary>Whether a running container passes its readiness probe.</summary>
    public Func<string, bool> IsReady { get; init; } = _ => true;

    /// <summary>Whether a running container passed its startup probe.</summary>
    public Func<string, bool> IsStarted { get; init; } = _ => true;

    /// <summary>The pod will not run again (it is being deleted): a stopped pod is Succeeded or Failed, whatever its restartPolicy.</summary>
    public bool PodIsTerminal { get; init; }
}

/// <summary>
/// The pod status the kubelet reports, computed purely from the spec, the runtime's state and the
/// probe results, following upstream's generateAPIPodStatus: phase, conditions, container statuses,
/// IPs, start time and QoS class. Fields the kubelet does not own are kept from the current status.
/// </summary>
public static class PodStatusGenerator
{
    public const string PodScheduled = "PodScheduled";
    public const string PodReadyToStartContainers = "PodReadyToStartContainers";
    public const string Initialized = "Initialized";
    public const string ContainersReady = "ContainersReady";
    public const string Ready = "Ready";

    private static readonly string[] KubeletConditions = [PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled];

    public static V1PodStatus Generate(PodStatusInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var pod = inputs.Pod;
        var spec = pod.Spec ?? new V1PodSpec();
        var old = pod.Status ?? new V1PodStatus();
        var now = Seconds(inputs.Now);
        var hasInit = spec.InitContainers is { Count: > 0 };
        var policy = PodActions.RestartPolicyOf(spec);

        var initStatuses = (spec.InitContainers ?? [])
            .Select(c => ContainerStatusOf(inputs, c, old.InitContainerStatuses, hasInit, ContainerConfigs.IsSidecar(c) ? ContainerKind.Sidecar : ContainerKind.Init, policy))
            .ToList();
        var appStatuses = (spec.Containers ?? [])
            .Select(c => ContainerStatusOf(inputs, c, old.ContainerStatuses, hasInit, ContainerKind.App, policy))
            .ToList();

        var phase = old.Phase is "Succeeded" or "Failed" ? old.Phase : Phase(spec, initStatuses, appStatuses, inputs.PodIsTerminal);
        var status = Clone(old);
        status.Phase = phase;
        status.InitContainerStatuses = hasInit ? initStatuses : null;
        status.ContainerStatuses = appStatuses;
        status.QosClass = QosClasses.Compute(spec);
        status.StartTime = old.StartTime ?? now;
        if (!string.IsNullOrEmpty(inputs.NodeIp))
        {
            status.HostIP = inputs.NodeIp;
            status.HostIPs = [new V1HostIP { Ip = inputs.NodeIp }];
        }

        var ips = spec.HostNetwork == true && !string.IsNullOrEmpty(inputs.NodeIp)
            ? [inputs.NodeIp]
            : inputs.Runtime.LatestSandbox?.Ips ?? [];
        if (ips.Count > 0)
        {
            status.PodIP = ips[0];
            status.PodIPs = [.. ips.Select(ip => new V1PodIP { Ip = ip })];
        }

        var generated = new[]
        {
            Condition(PodReadyToStartContainers, inputs.Runtime.LatestSandbox is { Ready: true }, null, null),
            InitializedCondition(spec, initStatuses, appStatuses, phase),
            ReadyCondition(spec, initStatuses, appStatuses, phase, Ready),
            ReadyCondition(spec, initStatuses, appStatuses, phase, ContainersReady),
            Condition(PodScheduled, true, null, null),
        };
        var conditions = (old.Conditions ?? []).Where(c => !KubeletConditions.Contains(c.Type)).ToList();
        foreach (var condition in generated)
        {
            var previous = old.Conditions?.FirstOrDefault(c => c.Type == condition.Type);
            condition.LastTransitionTime = previous is not null && previous.Status == condition.Status && previous.LastTransitionTime is { } t ? t : now;
            conditions.Add(condition);
        }

        status.Conditions = conditions;
        return status;
    }

    /// <summary>Upstream's getPhase over the computed container statuses.</summary>
    public static string Phase(V1PodSpec spec, IReadOnlyList<V1ContainerStatus> initStatuses, IReadOnlyList<V1ContainerStatus> appStatuses, bool podIsTerminal)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var policy = PodActions.RestartPolicyOf(spec);
        int pendingSidecars = 0, pendingInits = 0, failedInits = 0;
        foreach (var init in spec.InitContainers ?? [])
        {
            var status = initStatuses.FirstOrDefault(s => s.Name == init.Name);
            if (ContainerConfigs.IsSidecar(init))
            {
                if (status?.State?.Running is null)
                {
                    pendingSidecars++;
                }

                continue;
            }

            switch (status?.State)
            {
                case null:
                case { Running: not null }:
                    pendingInits++;
                    break;
                case { Terminated: { } terminated }:
                    if (terminated.ExitCode != 0)
                    {
                        failedInits++;
                    }

                    break;
                case { Waiting: not null }:
                    if (status.LastState?.Terminated is { } last)
                    {
                        if (last.ExitCode != 0)
                        {
                            failedInits++;
                        }
                    }
                    else
                    {
                        pendingInits++;
                    }

                    break;
                default:
                    pendingInits++;
                    break;
            }
        }

        int unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
        foreach (var app in spec.Containers ?? [])
        {
            var status = appStatuses.FirstOrDefault(s => s.Name == app.Name);
            switch (status?.State)
            {
                case null:
                    unknown++;
                    break;
                case { Running: not null }:
                    running++;
                    break;
                case { Terminated: { } terminated }:
                    stopped++;
                    if (terminated.ExitCode == 0)
                    {
                        succeeded++;
                    }

                    break;
                case { Waiting: not null }:
                    if (status.LastState?.Terminated is not null)
                    {
                        stopped++;
                    }
                    else
                    {
                        waiting++;
                    }

                    break;
                default:
                    unknown++;
                    break;
            }
        }

        if (failedInits > 0 && policy == "Never")
        {
            return "Failed";
        }

        var anyAppStarted = appStatuses.Any(s => s.State?.Running is not null || s.State?.Terminated is not null || s.LastState?.Terminated is not null);
        if (pendingInits > 0 || (pendingSidecars > 0 && !anyAppStarted) || waiting > 0)
        {
            return "Pending";
        }

        if (running > 0 && unknown == 0)
        {
            return "Running";
        }

        if (running == 0 && stopped > 0 && unknown == 0)
        {
            if (podIsTerminal)
            {
                return stopped == succeeded ? "Succeeded" : "Failed";
            }

            if (policy == "Always")
            {
                return "Running";
            }

            if (stopped == succeeded)
            {
                return "Succeeded";
            }

            return policy == "Never" ? "Failed" : "Running";
        }

        return "Pending";
    }

    private static V1ContainerStatus ContainerStatusOf(PodStatusInputs inputs, V1Container spec, IList<V1ContainerStatus>? oldStatuses, bool hasInit, ContainerKind kind, string policy)
    {
        var instances = inputs.Runtime.Instances(spec.Name).ToList();
        var latest = instances.FirstOrDefault();
        var old = oldStatuses?.FirstOrDefault(s => s.Name == spec.Name);
        var status = new V1ContainerStatus
        {
            Name = spec.Name,
            Image = spec.Image,
            ImageID = latest?.ImageRef ?? "",
            RestartCount = latest?.RestartCount ?? old?.RestartCount ?? 0,
            Ready = false,
            Started = false,
            LastState = new V1ContainerState(),
        };
        if (latest is null)
        {
            status.State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = hasInit ? "PodInitializing" : "ContainerCreating" } };
            // The runtime lost its history (restarted node): keep what was reported last.
            status.LastState = old?.LastState ?? new V1ContainerState();
        }
        else
        {
            status.ContainerID = ContainerId(inputs.RuntimeName, latest.Id);
            status.State = StateOf(inputs.RuntimeName, latest);
            if (instances.Count > 1)
            {
                status.LastState = StateOf(inputs.RuntimeName, instances[1]);
            }
            else if (latest.RestartCount > 0 && old?.LastState is { } oldLast)
            {
                status.LastState = oldLast;
            }

            if (latest.State == RuntimeContainerState.Running)
            {
                status.Started = inputs.IsStarted(latest.Id);
                // A regular init container is ready only once it succeeded.
                status.Ready = kind != ContainerKind.Init && status.Started == true && inputs.IsReady(latest.Id);
            }
            else if (kind == ContainerKind.Init && latest is { State: RuntimeContainerState.Exited, ExitCode: 0 })
            {
                // Init containers are ready once they succeeded.
                status.Ready = true;
            }
        }

        if (inputs.Waiting.TryGetValue(spec.Name, out var waiting) && latest?.State != RuntimeContainerState.Running && WillStart(latest, kind, policy))
        {
            if (status.State.Terminated is not null)
            {
                status.LastState = status.State;
            }

            status.State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = waiting.Reason, Message = waiting.Message } };
            status.Ready = false;
        }

        return status;
    }

    private static bool WillStart(RuntimeContainer? latest, ContainerKind kind, string policy) => kind switch
    {
        ContainerKind.Sidecar => PodActions.ShouldStart(latest, "Always"),
        ContainerKind.Init => latest is not { State: RuntimeContainerState.Exited, ExitCode: 0 } && PodActions.ShouldStart(latest, policy == "Never" ? "Never" : "OnFailure"),
        _ => PodActions.ShouldStart(latest, policy),
    };

    private static V1ContainerState StateOf(string runtimeName, RuntimeContainer container) => container.State switch
    {
        RuntimeContainerState.Running => new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = Seconds(container.StartedAt) } },
        RuntimeContainerState.Exited => new V1ContainerState
        {
            Terminated = new V1ContainerStateTerminated
            {
                ExitCode = container.ExitCode,
                Reason = string.IsNullOrEmpty(container.Reason) ? (container.ExitCode == 0 ? "Completed" : "Error") : container.Reason,
                Message = string.IsNullOrEmpty(container.Message) ? null : container.Message,
                StartedAt = Seconds(container.StartedAt),
                FinishedAt = Seconds(container.FinishedAt),
                ContainerID = ContainerId(runtimeName, container.Id),
            },
        },
        _ => new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } },
    };

    private static V1PodCondition InitializedCondition(V1PodSpec spec, List<V1ContainerStatus> inits, List<V1ContainerStatus> apps, string phase)
    {
        if (spec.InitContainers is not { Count: > 0 } || apps.Any(s => s.State?.Running is not null || s.State?.Terminated is not null || s.LastState?.Terminated is not null))
        {
            // Once a regular container has started, the pod stays initialized (sidecars may restart).
            return Condition(Initialized, true, null, null);
        }

        var incomplete = new List<string>();
        foreach (var init in spec.InitContainers)
        {
            var status = inits.FirstOrDefault(s => s.Name == init.Name);
            var done = ContainerConfigs.IsSidecar(init) ? status?.Started == true : status?.Ready == true;
            if (!done)
            {
                incomplete.Add(init.Name);
            }
        }

        if (incomplete.Count == 0)
        {
            return Condition(Initialized, true, null, null);
        }

        return phase == "Succeeded"
            ? Condition(Initialized, false, "PodCompleted", null)
            : Condition(Initialized, false, "ContainersNotInitialized", $"containers with incomplete status: [{string.Join(' ', incomplete)}]");
    }

    private static V1PodCondition ReadyCondition(V1PodSpec spec, List<V1ContainerStatus> inits, List<V1ContainerStatus> apps, string phase, string type)
    {
        var unready = new List<string>();
        foreach (var sidecar in (spec.InitContainers ?? []).Where(ContainerConfigs.IsSidecar))
        {
            if (inits.FirstOrDefault(s => s.Name == sidecar.Name)?.Ready != true)
            {
                unready.Add(sidecar.Name);
            }
        }

        foreach (var app in spec.Containers ?? [])
        {
            if (apps.FirstOrDefault(s => s.Name == app.Name)?.Ready != true)
            {
                unready.Add(app.Name);
            }
        }

        if (phase == "Succeeded")
        {
            return Condition(type, false, "PodCompleted", null);
        }

        if (unready.Count > 0)
        {
            return Condition(type, false, "ContainersNotReady", $"containers with unready status: [{string.Join(' ', unready)}]");
        }

        return Condition(type, true, null, null);
    }

    private static V1PodCondition Condition(string type, bool value, string? reason, string? message) => new()
    {
        Type = type,
        Status = value ? "True" : "False",
        Reason = reason,
        Message = message,
    };

    /// <summary>The containerID the API reports: <c>&lt;runtime&gt;://&lt;id&gt;</c>.</summary>
    public static string ContainerId(string runtimeName, string id) => runtimeName + "://" + id;

    /// <summary>API times have whole seconds; truncating keeps a recomputed status equal to the stored one.</summary>
    public static DateTime Seconds(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc);
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    private static DateTime? Seconds(DateTimeOffset? time) => time is { } t ? Seconds(t.UtcDateTime) : null;

    private static V1PodStatus Clone(V1PodStatus status) =>
        KubernetesJson.Deserialize<V1PodStatus>(KubernetesJson.Serialize(status));

    private enum ContainerKind
    {
        App,
        Init,
        Sidecar,
    }
}
