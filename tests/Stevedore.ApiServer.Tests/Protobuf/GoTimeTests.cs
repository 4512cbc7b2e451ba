using Stevedore.ApiServer.Protobuf;

namespace Stevedore.ApiServer.Tests.Protobuf;

public class GoTimeTests
{
    [Theory]
    [InlineData(1767323045L, 0, false, "2026-01-02T03:04:05Z")]
    [InlineData(1767323045L, 999_999_999, false, "2026-01-02T03:04:05Z")]
    [InlineData(1767323045L, 123_456_789, true, "2026-01-02T03:04:05.123456Z")]
    [InlineData(1767323045L, 0, true, "2026-01-02T03:04:05.000000Z")]
    [InlineData(-1L, 0, false, "1969-12-31T23:59:59Z")]
    public void Format_SecondsAndNanos_MatchesGoRfc3339(long seconds, int nanos, bool micro, string expected) =>
        Assert.Equal(expected, GoTime.Format(seconds, nanos, micro));

    [Theory]
    [InlineData("2026-01-02T03:04:05Z", 1767323045L, 0)]
    [InlineData("2026-01-02T03:04:05.123456Z", 1767323045L, 123_456_000)]
    [InlineData("2026-01-02T05:04:05+02:00", 1767323045L, 0)]
    public void Parse_Rfc3339_ReturnsUtcSecondsAndNanos(string text, long seconds, int nanos) =>
        Assert.Equal((seconds, nanos), GoTime.Parse(text));
}
