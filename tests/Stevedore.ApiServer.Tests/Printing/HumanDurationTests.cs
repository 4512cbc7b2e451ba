using Stevedore.ApiServer.Printing;

namespace Stevedore.ApiServer.Tests.Printing;

public class HumanDurationTests
{
    [Theory]
    [InlineData(-5, "<invalid>")]
    [InlineData(-2, "<invalid>")]
    [InlineData(-1, "0s")]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(119, "119s")]
    [InlineData(120, "2m")]
    [InlineData(125, "2m5s")]
    [InlineData(599, "9m59s")]
    [InlineData(600, "10m")]
    [InlineData(10799, "179m")]
    [InlineData(10800, "3h")]
    [InlineData(3 * 3600 + 2 * 60 + 5, "3h2m")]
    [InlineData(8 * 3600 - 1, "7h59m")]
    [InlineData(8 * 3600, "8h")]
    [InlineData(47 * 3600 + 59 * 60, "47h")]
    [InlineData(48 * 3600, "2d")]
    [InlineData(4 * 86400 + 5 * 3600, "4d5h")]
    [InlineData(8 * 86400 - 1, "7d23h")]
    [InlineData(8 * 86400, "8d")]
    [InlineData(729 * 86400, "729d")]
    [InlineData(730 * 86400, "2y")]
    [InlineData(740 * 86400, "2y10d")]
    [InlineData(8 * 365 * 86400, "8y")]
    [InlineData(9 * 365 * 86400 + 100 * 86400, "9y")]
    public void Format_Seconds_MatchesUpstream(long seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(-1900, "0s")]
    [InlineData(-2100, "<invalid>")]
    [InlineData(1999, "1s")]
    public void Format_FractionalSeconds_TruncatesTowardZero(long milliseconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Since_NoTimestamp_IsUnknown() =>
        Assert.Equal("<unknown>", HumanDuration.Since(null, DateTimeOffset.UnixEpoch));
}
