namespace Stevedore.HollowNodes;

/// <summary>What a <see cref="HollowNodePool"/> registers and how often it heartbeats.</summary>
public sealed record HollowNodeOptions
{
    /// <summary>How many nodes this process owns: <c>{NamePrefix}0</c> .. <c>{NamePrefix}{Count-1}</c>.</summary>
    public int Count { get; init; } = 1;

    /// <summary>Prefix of the node names; two processes with different prefixes never share a node.</summary>
    public string NamePrefix { get; init; } = "hollow-node-";

    /// <summary>Capacity (and allocatable) CPU, as a Kubernetes quantity.</summary>
    public string Cpu { get; init; } = "4";

    /// <summary>Capacity (and allocatable) memory, as a Kubernetes quantity.</summary>
    public string Memory { get; init; } = "16Gi";

    /// <summary>Capacity (and allocatable) pod count.</summary>
    public int Pods { get; init; } = 110;

    /// <summary>Capacity (and allocatable) ephemeral storage, as a Kubernetes quantity.</summary>
    public string EphemeralStorage { get; init; } = "100Gi";

    /// <summary>Lease renewal period (upstream kubelet: 10 s, a quarter of the 40 s lease).</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Lease duration written into each Lease (upstream: 40 s).</summary>
    public int LeaseDurationSeconds { get; init; } = 40;

    /// <summary>Node status refresh period when nothing changed (upstream nodeStatusReportFrequency: 5 min; we use 60 s).</summary>
    public TimeSpan NodeStatusInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a pod waits for its node's spec.podCIDR before the fallback range is used.</summary>
    public TimeSpan PodCidrWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>At most this many API calls at once for registration and lease renewal.</summary>
    public int MaxConcurrentRequests { get; init; } = 32;

    /// <summary>
    /// Pod workers (each handles one pod at a time). Each spends most of its time waiting for its
    /// status write, so one process playing kubelet for many nodes needs many of them: with 8, a
    /// Deployment of 1,000 on 100 nodes waited seconds for its pods to turn Ready.
    /// </summary>
    public int PodWorkers { get; init; } = 32;

    /// <summary>Crash-loop back-off: first restart delay (upstream 10 s), doubling per restart.</summary>
    public TimeSpan CrashLoopInitialBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Crash-loop back-off cap (upstream 5 min).</summary>
    public TimeSpan CrashLoopMaxBackoff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether to record pod events (Started, BackOff). Off for very large benchmarks.</summary>
    public bool RecordEvents { get; init; } = true;

    /// <summary>Clock for timestamps and delays.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The name of node <paramref name="index"/>.</summary>
    public string NodeName(int index) => NamePrefix + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
