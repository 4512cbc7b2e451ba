namespace Stevedore.Kubelet.Pods;

/// <summary>What the runtime says about one pod: its sandboxes and containers, newest first.</summary>
public sealed record RuntimePod(string Uid, IReadOnlyList<RuntimeSandbox> Sandboxes, IReadOnlyList<RuntimeContainer> Containers)
{
    /// <summary>A pod the runtime knows nothing about.</summary>
    public static RuntimePod Empty(string uid) => new(uid, [], []);

    /// <summary>The newest sandbox, or null.</summary>
    public RuntimeSandbox? LatestSandbox => Sandboxes.Count > 0 ? Sandboxes[0] : null;

    /// <summary>True when neither a sandbox nor a container exists.</summary>
    public bool IsEmpty => Sandboxes.Count == 0 && Containers.Count == 0;

    /// <summary>Every instance of the named container, newest first, across all sandboxes.</summary>
    public IEnumerable<RuntimeContainer> Instances(string name) => Containers.Where(c => c.Name == name);

    /// <summary>The newest instance of the named container in any sandbox.</summary>
    public RuntimeContainer? Latest(string name) => Containers.FirstOrDefault(c => c.Name == name);

    /// <summary>The newest instance of the named container in the newest sandbox: what decides whether it must (re)start.</summary>
    public RuntimeContainer? Current(string name) =>
        LatestSandbox is { } sandbox ? Containers.FirstOrDefault(c => c.Name == name && c.SandboxId == sandbox.Id) : null;

    /// <summary>Containers that are running, in any sandbox.</summary>
    public IEnumerable<RuntimeContainer> Running => Containers.Where(c => c.State == RuntimeContainerState.Running);
}

/// <summary>One pod sandbox as CRI reports it.</summary>
public sealed record RuntimeSandbox(string Id, uint Attempt, bool Ready, DateTimeOffset CreatedAt, IReadOnlyList<string> Ips);

/// <summary>A container's state in CRI terms.</summary>
public enum RuntimeContainerState
{
    Created,
    Running,
    Exited,
    Unknown,
}

/// <summary>One container instance as CRI reports it (status fields included).</summary>
public sealed record RuntimeContainer
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string SandboxId { get; init; }

    public uint Attempt { get; init; }

    public RuntimeContainerState State { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public int ExitCode { get; init; }

    /// <summary>The runtime's reason for an exited container: Completed, Error, OOMKilled, StartError, ...</summary>
    public string Reason { get; init; } = "";

    /// <summary>The runtime's message, or the container's termination message.</summary>
    public string Message { get; init; } = "";

    /// <summary>The image reference the runtime resolved (its image ID or repo digest).</summary>
    public string ImageRef { get; init; } = "";

    /// <summary>The restart count this instance was created with (annotation <see cref="CriLabels.ContainerRestartCount"/>).</summary>
    public int RestartCount { get; init; }

    /// <summary>The spec hash this instance was created from (annotation <see cref="CriLabels.ContainerHash"/>).</summary>
    public string? Hash { get; init; }

    /// <summary>The pod's grace period when this instance was created, for killing orphans.</summary>
    public long? TerminationGracePeriodSeconds { get; init; }

    /// <summary>True when the container has finished (exited, or created but could not start).</summary>
    public bool IsFinished => State == RuntimeContainerState.Exited;
}
