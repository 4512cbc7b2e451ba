using k8s.Models;
using Stevedore.Kubelet.Probes;

namespace Stevedore.Kubelet.Tests.Probes;

public sealed class ProbeSettingsTests
{
    [Theory]
    // kind, initialDelay, period, timeout, success, failure, grace -> expected delay, period, timeout, success, failure, grace
    [InlineData(ProbeKind.Readiness, null, null, null, null, null, null, 0, 10, 1, 1, 3, null)]
    [InlineData(ProbeKind.Readiness, 5, 2, 3, 4, 6, 9L, 5, 2, 3, 4, 6, null)]
    [InlineData(ProbeKind.Liveness, 5, 2, 3, 4, 6, 9L, 5, 2, 3, 1, 6, 9L)]
    [InlineData(ProbeKind.Startup, 0, 1, 1, 7, 30, null, 0, 1, 1, 1, 30, null)]
    [InlineData(ProbeKind.Readiness, -1, 0, 0, 0, 0, null, 0, 10, 1, 1, 3, null)]
    public void Of_ProbeFields_DefaultsAndRulesApplied(
        ProbeKind kind, int? delay, int? period, int? timeout, int? success, int? failure, long? grace,
        int expectedDelay, int expectedPeriod, int expectedTimeout, int expectedSuccess, int expectedFailure, long? expectedGrace)
    {
        var probe = new V1Probe
        {
            InitialDelaySeconds = delay,
            PeriodSeconds = period,
            TimeoutSeconds = timeout,
            SuccessThreshold = success,
            FailureThreshold = failure,
            TerminationGracePeriodSeconds = grace,
        };

        var settings = ProbeSettings.Of(probe, kind);

        Assert.Equal(
            new ProbeSettings(TimeSpan.FromSeconds(expectedDelay), TimeSpan.FromSeconds(expectedPeriod), TimeSpan.FromSeconds(expectedTimeout), expectedSuccess, expectedFailure, expectedGrace),
            settings);
    }
}
