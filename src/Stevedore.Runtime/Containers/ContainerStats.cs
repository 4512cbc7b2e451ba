namespace Stevedore.Runtime.Containers;

/// <summary>A usage sample of one container, from its cgroup.</summary>
public sealed record ContainerStats(
    string Id,
    DateTimeOffset Timestamp,
    long CpuUsageNanoseconds,
    long MemoryUsageBytes,
    long MemoryLimitBytes,
    long Pids);
