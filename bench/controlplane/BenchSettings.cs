using ApiServerBench.Reporting;

namespace ControlPlaneBench;

/// <summary>Sizes of every scenario: the full run by default, a short smoke run with <c>--quick</c>.</summary>
public sealed record BenchSettings
{
    public required string Binary { get; init; }

    /// <summary>Fresh clusters per scenario and backend; every number in the table is the median over these runs.</summary>
    public int Runs { get; init; } = 3;

    public IReadOnlyList<Backend> Backends { get; init; } = [Backend.Sqlite];

    /// <summary>Hollow node counts for the scheduler throughput scenario, one fresh cluster each.</summary>
    public IReadOnlyList<int> ThroughputNodes { get; init; } = [1000, 5000];

    public int ThroughputPods { get; init; } = 10_000;

    /// <summary>Concurrent clients creating the pods (closed loop, as fast as the server takes them).</summary>
    public int CreateClients { get; init; } = 32;

    /// <summary>
    /// Replicas of a Deployment created and awaited in a separate namespace before the scheduler
    /// throughput is measured, so that number describes a warmed-up control plane rather than the
    /// JIT compiling the write path; how long that took is reported too. (The Deployment scenario
    /// measures a first, cold, and a second, warm, Deployment instead.)
    /// </summary>
    public int WarmupPods { get; init; } = 1000;

    public int DeploymentNodes { get; init; } = 100;

    public int DeploymentReplicas { get; init; } = 1000;

    /// <summary>Give up on a scenario when nothing progressed for this long.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan NodeStartTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Small counts that finish in a couple of minutes: checks that everything works, numbers are only indicative.</summary>
    public static BenchSettings Quick(string binary) => new()
    {
        Binary = binary,
        Runs = 1,
        ThroughputNodes = [200],
        ThroughputPods = 2000,
        DeploymentNodes = 20,
        DeploymentReplicas = 200,
        WarmupPods = 100,
    };
}
