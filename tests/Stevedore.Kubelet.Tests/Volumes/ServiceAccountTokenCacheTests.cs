using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet.Tests.Volumes;

public sealed class ServiceAccountTokenCacheTests
{
    private static readonly DateTimeOffset Issued = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(3600, 0, false)]
    [InlineData(3600, 2879, false)]
    [InlineData(3600, 2880, true)]
    [InlineData(3607, 2885, false)]
    [InlineData(3607, 2886, true)]
    [InlineData(600, 479, false)]
    [InlineData(600, 480, true)]
    public void NeedsRefresh_AfterEightyPercentOfTheLifetime(int lifetimeSeconds, int elapsedSeconds, bool expected)
    {
        Assert.Equal(expected, ServiceAccountTokenCache.NeedsRefresh(Issued, Issued.AddSeconds(lifetimeSeconds), Issued.AddSeconds(elapsedSeconds)));
    }

    [Fact]
    public void NeedsRefresh_LongLivedToken_AfterADay()
    {
        var expiry = Issued.AddDays(365);
        Assert.False(ServiceAccountTokenCache.NeedsRefresh(Issued, expiry, Issued.AddHours(23)));
        Assert.True(ServiceAccountTokenCache.NeedsRefresh(Issued, expiry, Issued.AddHours(24)));
    }
}
