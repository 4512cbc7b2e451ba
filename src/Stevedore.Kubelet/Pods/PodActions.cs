using k8s.Models;

namespace Stevedore.Kubelet.Pods;

/// <summary>What one sync must do to a pod's containers to move the runtime towards the pod's spec.</summary>
public sealed record PodActions
{
    /// <summary>Stop every running container and the sandbox (before a new sandbox, or because nothing will run again).</summary>
    public bool KillPod { get; init; }

    /// <summary>Create a new sandbox with <see cref="SandboxAttempt"/>, then start <see cref="ContainersToStart"/> in it.</summary>
    public bool CreateSandbox { get; init; }

    public uint SandboxAttempt { get; init; }

    /// <summary>Running containers to stop, with the reason told in the Killing event.</summary>
    public IReadOnlyList<ContainerKill> ContainersToKill { get; init; } = [];

    /// <summary>Containers to start, in order (subject to their back-off).</summary>
    public IReadOnlyList<ContainerStart> ContainersToStart { get; init; } = [];

    /// <summary>Nothing to do.</summary>
    public bool IsEmpty => !KillPod && !CreateSandbox && ContainersToKill.Count == 0 && ContainersToStart.Count == 0;

    /// <summary>
    /// Upstream's computePodActions. A missing or dead sandbox means a new one (attempt + 1), unless the
    /// pod is finished (restartPolicy Never after containers ran, or OnFailure with all succeeded).
    /// Init containers run one at a time, in order, each to success; a sidecar (init container with
    /// restartPolicy Always) must be running and started before the next one. Then every app container
    /// that should run is started; running containers whose spec hash changed or whose liveness or
    /// startup probe failed are killed (and restarted unless restartPolicy is Never). When no app
    /// container runs or will run, the pod is killed, sidecars included.
    /// </summary>
    /// <param name="failedProbes">Running container IDs whose liveness or startup probe failed, with the event message.</param>
    /// <param name="isStarted">Whether a running container passed its startup probe (true without one).</param>
    public static PodActions Compute(V1Pod pod, RuntimePod runtime, IReadOnlyDictionary<string, string> failedProbes, Func<string, bool> isStarted)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(failedProbes);
        ArgumentNullException.ThrowIfNull(isStarted);
        var spec = pod.Spec ?? new V1PodSpec();
        var policy = RestartPolicyOf(spec);
        var inits = spec.InitContainers ?? [];
        var apps = spec.Containers ?? [];
        var sandbox = runtime.LatestSandbox;

        if (sandbox is not { Ready: true })
        {
            var anythingRuns = runtime.Running.Any() || runtime.Sandboxes.Any(s => s.Ready);
            if (sandbox is not null && IsFinished(spec, runtime, sandbox, policy))
            {
                return new PodActions { KillPod = anythingRuns };
            }

            var first = inits.FirstOrDefault();
            return new PodActions
            {
                KillPod = anythingRuns,
                CreateSandbox = true,
                SandboxAttempt = sandbox is null ? 0 : sandbox.Attempt + 1,
                ContainersToStart = first is not null
                    ? [new ContainerStart(first, IsInit: true)]
                    : [.. apps.Where(c => ShouldStart(runtime.Latest(c.Name), policy)).Select(c => new ContainerStart(c, IsInit: false))],
            };
        }

        var kills = new List<ContainerKill>();
        var starts = new List<ContainerStart>();
        var known = new HashSet<string>(inits.Select(c => c.Name).Concat(apps.Select(c => c.Name)), StringComparer.Ordinal);
        foreach (var stray in runtime.Running.Where(c => !known.Contains(c.Name)))
        {
            kills.Add(new ContainerKill(stray, null, $"Container {stray.Name} is not in the pod's spec"));
        }

        foreach (var init in inits)
        {
            var current = runtime.Current(init.Name);
            if (ContainerConfigs.IsSidecar(init))
            {
                if (current is { State: RuntimeContainerState.Running })
                {
                    if (failedProbes.TryGetValue(current.Id, out var message))
                    {
                        kills.Add(new ContainerKill(current, init, message));
                        starts.Add(new ContainerStart(init, IsInit: true));
                        return Done(kills, starts);
                    }

                    if (!isStarted(current.Id))
                    {
                        return Done(kills, starts);
                    }

                    continue;
                }

                starts.Add(new ContainerStart(init, IsInit: true));
                return Done(kills, starts);
            }

            switch (current)
            {
                case null:
                case { State: RuntimeContainerState.Created or RuntimeContainerState.Unknown }:
                    starts.Add(new ContainerStart(init, IsInit: true));
                    return Done(kills, starts);
                case { State: RuntimeContainerState.Running }:
                    return Done(kills, starts);
                case { ExitCode: 0 }:
                    continue;
                default:
                    if (policy == "Never")
                    {
                        // Initialization failed for good: the pod is Failed.
                        return new PodActions { KillPod = true };
                    }

                    starts.Add(new ContainerStart(init, IsInit: true));
                    return Done(kills, starts);
            }
        }

        var keep = 0;
        foreach (var app in apps)
        {
            var latest = runtime.Latest(app.Name);
            if (latest is not { State: RuntimeContainerState.Running })
            {
                if (ShouldStart(latest, policy))
                {
                    starts.Add(new ContainerStart(app, IsInit: false));
                }

                continue;
            }

            if (latest.Hash is not null && latest.Hash != ContainerConfigs.Hash(app))
            {
                kills.Add(new ContainerKill(latest, app, $"Container {app.Name} definition changed, will be restarted"));
                starts.Add(new ContainerStart(app, IsInit: false));
            }
            else if (failedProbes.TryGetValue(latest.Id, out var message))
            {
                kills.Add(new ContainerKill(latest, app, message));
                if (policy != "Never")
                {
                    starts.Add(new ContainerStart(app, IsInit: false));
                }
            }
            else
            {
                keep++;
            }
        }

        if (keep == 0 && starts.Count == 0)
        {
            // Nothing runs and nothing will: stop what is left (sidecars) and the sandbox.
            return new PodActions { KillPod = runtime.Running.Any() || runtime.Sandboxes.Any(s => s.Ready), ContainersToKill = kills };
        }

        return Done(kills, starts);
    }

    /// <summary>
    /// Whether a container should be (re)started given its newest instance: never run, or created but
    /// not started → yes; running → no; finished → per restartPolicy (Never: no; OnFailure: only after failure).
    /// </summary>
    public static bool ShouldStart(RuntimeContainer? latest, string restartPolicy) => latest switch
    {
        null => true,
        { State: RuntimeContainerState.Running } => false,
        { State: RuntimeContainerState.Created or RuntimeContainerState.Unknown } => true,
        _ when restartPolicy == "Never" => false,
        { ExitCode: 0 } when restartPolicy == "OnFailure" => false,
        _ => true,
    };

    /// <summary>spec.restartPolicy, Always when unset.</summary>
    public static string RestartPolicyOf(V1PodSpec spec) => string.IsNullOrEmpty(spec.RestartPolicy) ? "Always" : spec.RestartPolicy;

    private static bool IsFinished(V1PodSpec spec, RuntimePod runtime, RuntimeSandbox sandbox, string policy)
    {
        if (policy == "Never")
        {
            return runtime.Containers.Any(c => c.SandboxId == sandbox.Id);
        }

        var apps = spec.Containers ?? [];
        return policy == "OnFailure" && apps.Count > 0 && apps.All(c => runtime.Latest(c.Name) is { State: RuntimeContainerState.Exited, ExitCode: 0 });
    }

    private static PodActions Done(List<ContainerKill> kills, List<ContainerStart> starts) =>
        new() { ContainersToKill = kills, ContainersToStart = starts };
}

/// <summary>A running container to stop; <see cref="Spec"/> is null for a container the spec does not name.</summary>
public sealed record ContainerKill(RuntimeContainer Container, V1Container? Spec, string Message);

/// <summary>A container of the spec to start.</summary>
public sealed record ContainerStart(V1Container Spec, bool IsInit);
