namespace Stevedore.Scheduler.Framework;

/// <summary>A built-in (or host-supplied) plugin: its name, how to make it, and its score weight.</summary>
/// <param name="Name">The plugin's <c>Name</c> constant.</param>
/// <param name="Factory">Creates the plugin for a profile.</param>
/// <param name="Weight">Multiplier for its normalized score (ignored when it does not score).</param>
public sealed record PluginRegistration(string Name, Func<PluginContext, IPlugin> Factory, int Weight = 1);

/// <summary>What a plugin factory receives.</summary>
/// <param name="Handle">The framework running the plugin (preemption uses it to re-run filters).</param>
/// <param name="Args">Plugin arguments of the profile.</param>
public sealed record PluginContext(IFrameworkHandle Handle, PluginArgs Args);

/// <summary>How NodeResourcesFit turns free capacity into a score.</summary>
public enum ScoringStrategy
{
    /// <summary>Prefer emptier nodes (upstream default).</summary>
    LeastAllocated,

    /// <summary>Prefer fuller nodes (bin packing).</summary>
    MostAllocated,
}

/// <summary>Arguments of the built-in plugins (the subset of KubeSchedulerConfiguration we honour).</summary>
public sealed record PluginArgs
{
    public static PluginArgs Default { get; } = new();

    public ScoringStrategy NodeResourcesFitStrategy { get; init; } = ScoringStrategy.LeastAllocated;

    /// <summary>Score added for an existing pod whose required affinity matches the incoming pod (upstream default 1).</summary>
    public int HardPodAffinityWeight { get; init; } = 1;

    /// <summary>Lower bound of the candidate nodes preemption dry-runs, as a percentage of nodes (upstream 10).</summary>
    public int MinCandidateNodesPercentage { get; init; } = 10;

    /// <summary>Lower bound of the candidate nodes preemption dry-runs, absolute (upstream 100).</summary>
    public int MinCandidateNodesAbsolute { get; init; } = 100;

    /// <summary>
    /// Threads that filter and score nodes of one cycle (upstream <c>parallelism</c>, default 16 there).
    /// Here half the cores: the scheduler shares its process and machine with the API server, which
    /// needs the rest, and on a busy 2-core box fanning out costs more CPU than it saves time. 1 runs
    /// every cycle on the scheduling thread.
    /// </summary>
    public int Parallelism { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);
}
