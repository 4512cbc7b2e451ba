namespace Stevedore.Kubelet.Probes;

/// <summary>
/// The result of one probe on one container instance, as thresholds make it: a pass or fail changes the
/// result only after successThreshold / failureThreshold of them in a row. Pure logic, no clock.
/// </summary>
internal sealed class ProbeThresholds(ProbeKind kind, int successThreshold, int failureThreshold)
{
    private bool _lastPassed;
    private int _run;

    /// <summary>
    /// The current result: readiness starts false (not ready until a success), liveness true (alive until
    /// proven otherwise), startup unknown (null) until its first verdict.
    /// </summary>
    public bool? Result { get; private set; } = kind switch
    {
        ProbeKind.Readiness => false,
        ProbeKind.Liveness => true,
        _ => null,
    };

    /// <summary>
    /// Set once a liveness or startup probe has failed: the container is going to be restarted, so this
    /// instance is not probed again (a new instance gets a new container ID and fresh thresholds).
    /// </summary>
    public bool OnHold { get; private set; }

    /// <summary>Counts one attempt; true when <see cref="Result"/> changed.</summary>
    public bool Record(bool passed)
    {
        if (_run > 0 && passed == _lastPassed)
        {
            _run++;
        }
        else
        {
            _lastPassed = passed;
            _run = 1;
        }

        if (_run < (passed ? successThreshold : failureThreshold))
        {
            return false;
        }

        var previous = Result;
        Result = passed;
        if (!passed && kind != ProbeKind.Readiness)
        {
            OnHold = true;
            _run = 0;
        }

        return previous != passed;
    }
}
