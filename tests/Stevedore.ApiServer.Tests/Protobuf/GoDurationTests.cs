using Stevedore.ApiServer.Protobuf;

namespace Stevedore.ApiServer.Tests.Protobuf;

public class GoDurationTests
{
    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(1L, "1ns")]
    [InlineData(1_500L, "1.5µs")]
    [InlineData(300_000_000L, "300ms")]
    [InlineData(1_500_000_000L, "1.5s")]
    [InlineData(60_000_000_000L, "1m0s")]
    [InlineData(3_600_000_000_000L, "1h0m0s")]
    [InlineData(5_415_250_000_000L, "1h30m15.25s")]
    [InlineData(-2_000_000_000L, "-2s")]
    public void Format_Nanoseconds_MatchesGoDurationString(long nanoseconds, string expected)
    {
        Assert.Equal(expected, GoDuration.Format(nanoseconds));
        Assert.Equal(nanoseconds, GoDuration.Parse(expected));
    }

    [Theory]
    [InlineData("90s", 90_000_000_000L)]
    [InlineData("1h30m", 5_400_000_000_000L)]
    [InlineData("250us", 250_000L)]
    [InlineData("0", 0L)]
    public void Parse_GoDurationText_ReturnsNanoseconds(string text, long expected) =>
        Assert.Equal(expected, GoDuration.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("5 parsecs")]
    [InlineData("h")]
    public void Parse_InvalidText_Throws(string text) =>
        Assert.Throws<FormatException>(() => GoDuration.Parse(text));
}
