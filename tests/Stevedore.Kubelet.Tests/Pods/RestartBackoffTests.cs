using Stevedore.Kubelet.Pods;

namespace Stevedore.Kubelet.Tests.Pods;

public sealed class RestartBackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Max = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Reset = TimeSpan.FromMinutes(10);

    [Fact]
    public void IsInBackoff_FirstFailure_RetriesAtOnce()
    {
        var backoff = new RestartBackoff(Initial, Max, Reset);

        Assert.False(backoff.IsInBackoff("k", Builders.T0, Builders.T0, out _, out _));
    }

    [Fact]
    public void Next_RepeatedFailures_DoublesFromTenSecondsToFiveMinutes()
    {
        var backoff = new RestartBackoff(Initial, Max, Reset);
        var delays = new List<double>();
        var failedAt = Builders.T0;
        for (var i = 0; i < 8; i++)
        {
            backoff.Next("k", failedAt);
            backoff.IsInBackoff("k", failedAt, failedAt, out _, out var delay);
            delays.Add(delay.TotalSeconds);
            failedAt += delay + TimeSpan.FromSeconds(1);
        }

        Assert.Equal([10, 20, 40, 80, 160, 300, 300, 300], delays);
    }

    [Fact]
    public void IsInBackoff_DuringAndAfterTheDelay_RemainingCountsDown()
    {
        var backoff = new RestartBackoff(Initial, Max, Reset);
        backoff.Next("k", Builders.T0);

        Assert.True(backoff.IsInBackoff("k", Builders.T0, Builders.T0.AddSeconds(4), out var remaining, out var delay));
        Assert.Equal(TimeSpan.FromSeconds(6), remaining);
        Assert.Equal(TimeSpan.FromSeconds(10), delay);
        Assert.False(backoff.IsInBackoff("k", Builders.T0, Builders.T0.AddSeconds(10), out _, out _));
    }

    [Fact]
    public void Next_FailureLongAfterTheLast_StartsOverAtTheInitialDelay()
    {
        var backoff = new RestartBackoff(Initial, Max, Reset);
        backoff.Next("k", Builders.T0);
        backoff.Next("k", Builders.T0.AddSeconds(30));
        var muchLater = Builders.T0.AddSeconds(30) + Reset + TimeSpan.FromSeconds(1);

        Assert.False(backoff.IsInBackoff("k", muchLater, muchLater, out _, out _));
        backoff.Next("k", muchLater);
        backoff.IsInBackoff("k", muchLater, muchLater, out _, out var delay);
        Assert.Equal(Initial, delay);
    }

    [Fact]
    public void ResetPrefix_OnePod_ForgetsOnlyItsKeys()
    {
        var backoff = new RestartBackoff(Initial, Max, Reset);
        backoff.Next("pod-a/x", Builders.T0);
        backoff.Next("pod-b/x", Builders.T0);

        backoff.ResetPrefix("pod-a/");

        Assert.False(backoff.IsInBackoff("pod-a/x", Builders.T0, Builders.T0, out _, out _));
        Assert.True(backoff.IsInBackoff("pod-b/x", Builders.T0, Builders.T0, out _, out _));
    }

    [Theory]
    [InlineData(10, "10s")]
    [InlineData(40, "40s")]
    [InlineData(80, "1m20s")]
    [InlineData(300, "5m0s")]
    public void Duration_Seconds_GoFormat(int seconds, string expected) =>
        Assert.Equal(expected, PodSyncer.Duration(TimeSpan.FromSeconds(seconds)));
}
