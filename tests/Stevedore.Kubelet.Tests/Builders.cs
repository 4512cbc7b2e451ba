using k8s.Models;
using Stevedore.Kubelet.Pods;

namespace Stevedore.Kubelet.Tests;

/// <summary>Pods and runtime states for the pure tests.</summary>
internal static class Builders
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static V1Pod Pod(string restartPolicy = "Always", string[]? containers = null, V1Container[]? inits = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "shop", Uid = "uid-1" },
        Spec = new V1PodSpec
        {
            RestartPolicy = restartPolicy,
            Containers = [.. (containers ?? ["app"]).Select(n => new V1Container { Name = n, Image = "busybox:1.36" })],
            InitContainers = inits?.ToList(),
        },
    };

    public static V1Container Init(string name) => new() { Name = name, Image = "busybox:1.36" };

    public static V1Container Sidecar(string name) => new() { Name = name, Image = "busybox:1.36", RestartPolicy = "Always" };

    public static RuntimeSandbox Sandbox(string id = "sb1", bool ready = true, uint attempt = 0) => new(id, attempt, ready, T0, ready ? ["10.244.0.5"] : []);

    public static RuntimeContainer Running(string name, string id, int restarts = 0, string sandbox = "sb1", int secondsAfter = 1) => new()
    {
        Id = id,
        Name = name,
        SandboxId = sandbox,
        State = RuntimeContainerState.Running,
        CreatedAt = T0.AddSeconds(secondsAfter),
        StartedAt = T0.AddSeconds(secondsAfter),
        RestartCount = restarts,
        ImageRef = "sha256:abc",
    };

    public static RuntimeContainer Exited(string name, string id, int exitCode, int restarts = 0, string sandbox = "sb1", int secondsAfter = 1, string reason = "") => new()
    {
        Id = id,
        Name = name,
        SandboxId = sandbox,
        State = RuntimeContainerState.Exited,
        CreatedAt = T0.AddSeconds(secondsAfter),
        StartedAt = T0.AddSeconds(secondsAfter),
        FinishedAt = T0.AddSeconds(secondsAfter + 1),
        ExitCode = exitCode,
        Reason = reason,
        RestartCount = restarts,
        ImageRef = "sha256:abc",
    };

    /// <summary>A runtime pod; containers are given newest first, as the inspector orders them.</summary>
    public static RuntimePod Runtime(RuntimeSandbox[]? sandboxes = null, params RuntimeContainer[] containers) =>
        new("uid-1", sandboxes ?? [Sandbox()], containers);
}
