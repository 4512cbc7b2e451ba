namespace Stevedore.Runtime.Containers;

/// <summary>How a foreground caller is connected to a container's main process.</summary>
public sealed class AttachOptions
{
    /// <summary>Receives a copy of stdout (and of the terminal output with a TTY) as it is logged.</summary>
    public Stream? Stdout { get; init; }

    /// <summary>Receives a copy of stderr as it is logged.</summary>
    public Stream? Stderr { get; init; }

    /// <summary>Fed to the process's stdin; stdin is empty when null.</summary>
    public Stream? Stdin { get; init; }

    /// <summary>
    /// Gives the runtime this process's own stdin/stdout/stderr (for <c>run -it</c> on a real terminal);
    /// nothing is logged then.
    /// </summary>
    public bool InheritStdio { get; init; }
}
