namespace Stevedore.Scheduler.Queue;

/// <summary>Timings of the scheduling queue; the defaults are upstream's.</summary>
public sealed record SchedulingQueueOptions
{
    public static SchedulingQueueOptions Default { get; } = new();

    /// <summary>Backoff after the first failed attempt; doubles with each further attempt.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A pod left unschedulable this long is retried even without a relevant event.</summary>
    public TimeSpan MaxInUnschedulablePods { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the unschedulable sub-queue is checked for pods past <see cref="MaxInUnschedulablePods"/>.</summary>
    public TimeSpan UnschedulableFlushInterval { get; init; } = TimeSpan.FromSeconds(30);
}
