namespace Stevedore.Runtime.Containers;

/// <summary>A process to run inside a running container.</summary>
public sealed class ExecOptions
{
    /// <summary>The command and its arguments.</summary>
    public IReadOnlyList<string> Args { get; set; } = [];

    /// <summary>Allocates a terminal (stdout and stderr merge into it).</summary>
    public bool Tty { get; set; }

    /// <summary>Extra <c>KEY=value</c> entries on top of the container's environment.</summary>
    public IReadOnlyList<string> Env { get; set; } = [];

    /// <summary>The working directory; the container's when null.</summary>
    public string? WorkingDir { get; set; }

    /// <summary><c>uid[:gid]</c>; the container's user when null.</summary>
    public string? User { get; set; }

    /// <summary>Hands this process's own stdio to the runtime (interactive CLI use).</summary>
    public bool InheritStdio { get; set; }

    /// <summary>With <see cref="Tty"/>: sizes to give the terminal, the first as soon as it exists.</summary>
    public IAsyncEnumerable<TerminalSize>? TerminalSizes { get; set; }
}
