namespace Stevedore.Runtime.Containers;

/// <summary>The life stage of a container.</summary>
public enum ContainerStatus
{
    /// <summary>Prepared, never started.</summary>
    Created,
    /// <summary>Its process is running.</summary>
    Running,
    /// <summary>Its process has ended.</summary>
    Exited,
}

/// <summary>Everything the engine knows about a container; persisted as <c>container.json</c> so a restarted engine keeps it.</summary>
public sealed class ContainerRecord
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Image { get; set; } = "";
    public string ImageId { get; set; } = "";
    public List<string> LayerChainIds { get; set; } = [];
    public List<string> Args { get; set; } = [];
    public ContainerOptions Options { get; set; } = new();
    public DateTimeOffset Created { get; set; }
    public ContainerStatus Status { get; set; }
    public int Pid { get; set; }
    public int? ExitCode { get; set; }
    public bool OomKilled { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The process id of the supervisor (this engine or a shim) that waits for the container.</summary>
    public int SupervisorPid { get; set; }

    /// <summary>The first 12 characters of the ID, as docker shows it.</summary>
    public string ShortId => Id[..12];
}
