using Stevedore.Client.Events;

namespace Stevedore.Client.Tests.Events;

public class EventSpamFilterTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Allow_DefaultBurst_TwentyFiveThenRefusedUntilFiveMinutesPass()
    {
        var filter = new EventSpamFilter();

        var allowed = Enumerable.Range(0, 30).Count(_ => filter.Allow("rs/web", Start));

        Assert.Equal(25, allowed);
        Assert.False(filter.Allow("rs/web", Start.AddMinutes(4)));
        Assert.True(filter.Allow("rs/web", Start.AddMinutes(5)));
        Assert.False(filter.Allow("rs/web", Start.AddMinutes(5)));
    }

    [Fact]
    public void Allow_OtherKey_HasItsOwnBucket()
    {
        var filter = new EventSpamFilter(burst: 2);
        Assert.True(filter.Allow("a", Start));
        Assert.True(filter.Allow("a", Start));
        Assert.False(filter.Allow("a", Start));

        Assert.True(filter.Allow("b", Start));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(10, 1)]
    [InlineData(25, 2)]
    [InlineData(3600, 3)]
    public void Allow_AfterEmptyBucket_RefillsOnePerIntervalUpToBurst(int secondsLater, int expected)
    {
        var filter = new EventSpamFilter(burst: 3, refillInterval: TimeSpan.FromSeconds(10));
        for (var i = 0; i < 3; i++)
        {
            Assert.True(filter.Allow("k", Start));
        }

        var later = Start.AddSeconds(secondsLater);
        Assert.Equal(expected, Enumerable.Range(0, 10).Count(_ => filter.Allow("k", later)));
    }

    [Fact]
    public void Allow_ClockGoesBack_NoExtraTokens()
    {
        var filter = new EventSpamFilter(burst: 1, refillInterval: TimeSpan.FromSeconds(10));
        Assert.True(filter.Allow("k", Start));

        Assert.False(filter.Allow("k", Start.AddSeconds(-30)));
    }
}
