namespace PodsBench.Peers;

/// <summary>
/// Something that runs the benchmark's pod: Stevedore (server + agent, on its engine or on containerd) or
/// podman. One instance is one fresh setup; disposal removes everything it made.
/// </summary>
public interface IPodPeer : IAsyncDisposable
{
    /// <summary>Column title.</summary>
    string Name { get; }

    /// <summary>Sets the peer up; with <paramref name="forPods"/> false only what the idle measurement needs (its runtime).</summary>
    Task StartAsync(bool forPods, CancellationToken cancellationToken);

    /// <summary>Creates one pod and waits until it runs; milliseconds from the create call, or null when it never ran.</summary>
    Task<double?> CreateOneAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates all pods at once; milliseconds until the last one runs, or null when any never ran.</summary>
    Task<double?> CreateManyAsync(IReadOnlyList<string> names, CancellationToken cancellationToken);

    /// <summary>Where the sequential pods' time went (watch events since each POST), for the progress log; null when unknown. Clears what it summed up.</summary>
    string? StepSummary() => null;

    /// <summary>Deletes every pod created so far and waits until they are gone.</summary>
    Task RemoveAllAsync(CancellationToken cancellationToken);

    /// <summary>RSS (MiB) of the runtime's per-pod helper processes (shims, runc, conmon) together, pods' own processes excluded.</summary>
    double HelperResidentMegabytes();

    /// <summary>Agent idle RSS and CPU with no pods, or null when the peer has no agent.</summary>
    Task<IdleSample?> MeasureIdleAsync(TimeSpan window, CancellationToken cancellationToken);

    /// <summary>What was found left behind (containers, sandboxes, log folders…) before the forced cleanup; filled by disposal.</summary>
    IReadOnlyList<string> Leftovers { get; }
}

/// <param name="AgentResidentMegabytes">Median VmRSS of the agent process over the window.</param>
/// <param name="AgentCpuPercent">CPU the agent used over the window, in % of one core.</param>
/// <param name="RuntimeResidentMegabytes">A separate runtime daemon's RSS (containerd), or null when the runtime is in the agent.</param>
public sealed record IdleSample(double AgentResidentMegabytes, double AgentCpuPercent, double? RuntimeResidentMegabytes);
