using ApiServerBench.Infrastructure;

namespace ApiServerBench;

/// <summary>Sizes and durations of every benchmark: the full run by default, a short smoke run with <c>--quick</c>.</summary>
public sealed record BenchSettings
{
    public required string Binary { get; init; }

    public AuthMode Auth { get; init; } = AuthMode.ClientCertificate;

    /// <summary>Fresh servers per backend; every number in the table is the median over these runs.</summary>
    public int Runs { get; init; } = 3;

    public int CreateRate { get; init; } = 500;

    public TimeSpan CreateDuration { get; init; } = TimeSpan.FromSeconds(10);

    public IReadOnlyList<int> ThroughputClients { get; init; } = [4, 16, 64];

    public TimeSpan ThroughputWarmup { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ThroughputDuration { get; init; } = TimeSpan.FromSeconds(5);

    public int GetObjects { get; init; } = 100;

    public int GetRequests { get; init; } = 3000;

    public int Watchers { get; init; } = 1000;

    public int WatchUpdates { get; init; } = 50;

    public int ListPods { get; init; } = 10_000;

    public int ListRepeats { get; init; } = 5;

    public int PodCreateClients { get; init; } = 32;

    /// <summary>Quiet time after start before the idle RSS is read (background warm-up settles).</summary>
    public TimeSpan IdleSettle { get; init; } = TimeSpan.FromSeconds(3);

    public int ColdStarts { get; init; } = 5;

    /// <summary>Requests sent before a latency measurement starts, so JIT and connection set-up are not measured.</summary>
    public int Warmup { get; init; } = 200;

    /// <summary>Small counts that finish in well under a minute: checks that everything works, numbers are only indicative.</summary>
    public static BenchSettings Quick(string binary) => new()
    {
        Binary = binary,
        Runs = 1,
        CreateDuration = TimeSpan.FromSeconds(3),
        ThroughputClients = [16, 64],
        ThroughputWarmup = TimeSpan.FromSeconds(0.5),
        ThroughputDuration = TimeSpan.FromSeconds(1.5),
        GetRequests = 500,
        Watchers = 100,
        WatchUpdates = 10,
        ListPods = 1000,
        ListRepeats = 3,
        IdleSettle = TimeSpan.FromSeconds(1),
        ColdStarts = 2,
        Warmup = 50,
    };
}
