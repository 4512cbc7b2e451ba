using Stevedore.Client.Tests.Support;
using Stevedore.Client.WorkQueues;

namespace Stevedore.Client.Tests.WorkQueues;

public sealed class RateLimiterTests
{
    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(10, 2560)]
    [InlineData(19, 1_000_000)]
    [InlineData(80, 1_000_000)]
    public void ItemExponential_NthFailure_DoublesUpToMax(int failures, double expectedMs)
    {
        var limiter = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));
        var delay = TimeSpan.Zero;
        for (var i = 0; i < failures; i++)
        {
            delay = limiter.When("x");
        }

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), delay);
        Assert.Equal(failures, limiter.NumRequeues("x"));
    }

    [Fact]
    public void ItemExponential_Forget_StartsOverAndIsPerItem()
    {
        var limiter = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));
        limiter.When("x");
        limiter.When("x");
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("y"));
        limiter.Forget("x");
        Assert.Equal(0, limiter.NumRequeues("x"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("x"));
    }

    [Fact]
    public void TokenBucket_BeyondBurst_DelaysByRefillRate()
    {
        var time = new ManualTimeProvider();
        var limiter = new TokenBucketRateLimiter<string>(10, 100, time);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(TimeSpan.Zero, limiter.When("k" + i));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), limiter.When("b"));

        // One second refills ten tokens: the two reservations are paid back, eight are free again.
        time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(TimeSpan.Zero, limiter.When("c" + i));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When("d"));
    }

    [Fact]
    public void DefaultController_TakesTheLongerOfItemBackoffAndBucket()
    {
        var time = new ManualTimeProvider();
        var limiter = RateLimiters.DefaultController<string>(time);
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("x"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), limiter.When("x"));
        for (var i = 0; i < 98; i++)
        {
            limiter.When("other" + i);
        }

        // The bucket is empty now: 100 ms beats the item's fresh 5 ms.
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When("fresh"));
        Assert.Equal(2, limiter.NumRequeues("x"));
    }
}
