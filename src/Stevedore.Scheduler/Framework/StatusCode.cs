namespace Stevedore.Scheduler.Framework;

/// <summary>The outcome category of a plugin call, as in the upstream scheduler framework.</summary>
public enum StatusCode
{
    /// <summary>The plugin ran and the pod may proceed.</summary>
    Success,

    /// <summary>An internal error (a bug or broken input); the pod is retried with backoff.</summary>
    Error,

    /// <summary>The pod does not fit now; preempting lower-priority pods may help.</summary>
    Unschedulable,

    /// <summary>The pod does not fit and preemption cannot change that (for example a node selector mismatch).</summary>
    UnschedulableAndUnresolvable,

    /// <summary>Returned by PreFilter/PreScore when the plugin has nothing to do for this pod; its Filter/Score is skipped.</summary>
    Skip,
}
