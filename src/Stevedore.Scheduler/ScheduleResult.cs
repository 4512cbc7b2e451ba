using k8s.Models;
using Stevedore.Scheduler.Framework;

namespace Stevedore.Scheduler;

/// <summary>
/// The outcome of one scheduling attempt. Exactly one of: a <see cref="SuggestedHost"/>; a
/// <see cref="FitError"/> (no node fits; maybe with a preemption <see cref="Nomination"/>);
/// or an <see cref="Error"/> (no nodes at all, or a plugin failed).
/// </summary>
public sealed record ScheduleResult
{
    /// <summary>Upstream's error text when the cluster has no nodes.</summary>
    public const string NoNodesAvailableMessage = "no nodes available to schedule pods";

    /// <summary>The node to bind to, when scheduling succeeded.</summary>
    public string? SuggestedHost { get; init; }

    /// <summary>How many nodes the filters looked at (adaptive: not always all of them).</summary>
    public int EvaluatedNodes { get; init; }

    /// <summary>How many of them fit.</summary>
    public int FeasibleNodes { get; init; }

    /// <summary>Why the pod fits nowhere; <see cref="FitError.Message"/> is the FailedScheduling text.</summary>
    public FitError? FitError { get; init; }

    /// <summary>Preemption's choice when it found one: evict the victims, set status.nominatedNodeName, retry later.</summary>
    public PostFilterResult? Nomination { get; init; }

    /// <summary>Not a fit problem: no nodes, or a plugin error.</summary>
    public Status? Error { get; init; }

    /// <summary>The cycle state, for running Reserve/Bind plugins of the profile afterwards.</summary>
    public CycleState? State { get; init; }

    public bool IsSuccess => SuggestedHost is not null;

    /// <summary>The FailedScheduling event message (null on success).</summary>
    public string? FailureMessage => FitError?.Message ?? Error?.Message;

    /// <summary>The plugins that rejected the pod; pass them to the queue so only relevant events retry it.</summary>
    public IReadOnlyCollection<string> UnschedulablePlugins =>
        FitError?.Diagnosis.UnschedulablePlugins ?? (IReadOnlyCollection<string>)Array.Empty<string>();

    /// <summary>
    /// The PodScheduled=False condition upstream writes on failure: reason Unschedulable for fit
    /// errors and an empty cluster, SchedulerError for plugin errors. Null on success.
    /// </summary>
    public V1PodCondition? PodScheduledCondition(DateTime now)
    {
        if (IsSuccess)
        {
            return null;
        }

        var unschedulable = FitError is not null || Error?.Message == NoNodesAvailableMessage;
        return new V1PodCondition
        {
            Type = "PodScheduled",
            Status = "False",
            Reason = unschedulable ? "Unschedulable" : "SchedulerError",
            Message = FailureMessage,
            LastTransitionTime = now,
        };
    }
}
