using Stevedore.Kubelet.Probes;

namespace Stevedore.Kubelet.Tests.Probes;

public sealed class ProbeThresholdsTests
{
    /// <summary>Results after each attempt: r/- for readiness false/true ("?" unknown), "h" once on hold.</summary>
    [Theory]
    [InlineData(ProbeKind.Readiness, 1, 3, "", "-")]
    [InlineData(ProbeKind.Liveness, 1, 3, "", "+")]
    [InlineData(ProbeKind.Startup, 1, 3, "", "?")]
    [InlineData(ProbeKind.Readiness, 1, 3, "S", "-+")]
    [InlineData(ProbeKind.Readiness, 2, 3, "SFSS", "----+")]
    [InlineData(ProbeKind.Readiness, 1, 2, "SFSFF", "-++++-")]
    [InlineData(ProbeKind.Readiness, 1, 1, "SFSF", "-+-+-")]
    [InlineData(ProbeKind.Liveness, 1, 3, "FFSFFF", "++++++-h")]
    [InlineData(ProbeKind.Liveness, 1, 1, "F", "+-h")]
    [InlineData(ProbeKind.Startup, 1, 3, "FFS", "???+")]
    [InlineData(ProbeKind.Startup, 1, 2, "FF", "??-h")]
    public void Record_Sequence_ResultAfterEachAttempt(ProbeKind kind, int success, int failure, string attempts, string expected)
    {
        var thresholds = new ProbeThresholds(kind, success, failure);
        var seen = Format(thresholds);
        foreach (var attempt in attempts)
        {
            thresholds.Record(attempt == 'S');
            seen += Format(thresholds);
        }

        if (thresholds.OnHold)
        {
            seen += "h";
        }

        Assert.Equal(expected, seen);
    }

    [Fact]
    public void Record_ChangeOnlyWhenResultFlips_ReturnsTrueOnce()
    {
        var thresholds = new ProbeThresholds(ProbeKind.Readiness, 1, 1);

        Assert.True(thresholds.Record(true));
        Assert.False(thresholds.Record(true));
        Assert.True(thresholds.Record(false));
        Assert.False(thresholds.Record(false));
    }

    private static string Format(ProbeThresholds thresholds) => thresholds.Result switch
    {
        true => "+",
        false => "-",
        null => "?",
    };
}
