using k8s.Models;

namespace Stevedore.Kubelet.Probes;

/// <summary>A probe's timing with upstream's defaults filled in (period 10 s, timeout 1 s, success 1, failure 3).</summary>
internal sealed record ProbeSettings(
    TimeSpan InitialDelay,
    TimeSpan Period,
    TimeSpan Timeout,
    int SuccessThreshold,
    int FailureThreshold,
    long? TerminationGracePeriodSeconds)
{
    public const int DefaultPeriodSeconds = 10;
    public const int DefaultTimeoutSeconds = 1;
    public const int DefaultSuccessThreshold = 1;
    public const int DefaultFailureThreshold = 3;

    /// <summary>
    /// The effective settings of <paramref name="probe"/>. Zero or negative values (which API validation
    /// rejects) fall back to the defaults; liveness and startup always need just one success, as validation
    /// demands, and only they carry a probe-level terminationGracePeriodSeconds.
    /// </summary>
    public static ProbeSettings Of(V1Probe probe, ProbeKind kind) => new(
        TimeSpan.FromSeconds(Math.Max(0, probe.InitialDelaySeconds ?? 0)),
        TimeSpan.FromSeconds(Positive(probe.PeriodSeconds) ?? DefaultPeriodSeconds),
        TimeSpan.FromSeconds(Positive(probe.TimeoutSeconds) ?? DefaultTimeoutSeconds),
        kind == ProbeKind.Readiness ? Positive(probe.SuccessThreshold) ?? DefaultSuccessThreshold : 1,
        Positive(probe.FailureThreshold) ?? DefaultFailureThreshold,
        kind == ProbeKind.Readiness ? null : probe.TerminationGracePeriodSeconds);

    private static int? Positive(int? value) => value > 0 ? value : null;
}
