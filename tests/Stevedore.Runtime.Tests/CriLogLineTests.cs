using System.Text;
using Stevedore.Runtime.Containers;

namespace Stevedore.Runtime.Tests;

public sealed class CriLogLineTests
{
    private static readonly DateTimeOffset Time = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    [Theory]
    [InlineData(0, "2024-05-06T07:08:09Z")]
    [InlineData(1234567, "2024-05-06T07:08:09.1234567Z")]
    [InlineData(5000000, "2024-05-06T07:08:09.5Z")]
    public void FormatTime_Fraction_TrailingZerosDropped(long ticks, string expected)
    {
        Assert.Equal(expected, CriLogLine.FormatTime(Time.AddTicks(ticks)));
    }

    [Fact]
    public void Format_FullLine_MatchesCriLayout()
    {
        Assert.Equal("2024-05-06T07:08:09Z stderr F hello world\n", new CriLogLine(Time, "stderr", false, "hello world").Format());
        Assert.Equal("2024-05-06T07:08:09Z stdout P part\n", new CriLogLine(Time, "stdout", true, "part").Format());
    }

    [Theory]
    [InlineData("2024-05-06T07:08:09.123456789Z stdout F hi there", "stdout", false, "hi there")]
    [InlineData("2024-05-06T07:08:09Z stderr P  leading space", "stderr", true, " leading space")]
    [InlineData("2024-05-06T07:08:09Z stdout F ", "stdout", false, "")]
    [InlineData("2024-05-06T07:08:09Z stdout F", "stdout", false, "")]
    public void Parse_ValidLine_ReturnsFields(string line, string stream, bool partial, string content)
    {
        var parsed = CriLogLine.Parse(line);
        Assert.NotNull(parsed);
        Assert.Equal(stream, parsed!.Stream);
        Assert.Equal(partial, parsed.Partial);
        Assert.Equal(content, parsed.Content);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("2024-05-06T07:08:09Z stdin F x")]
    [InlineData("2024-05-06T07:08:09Z stdout X x")]
    [InlineData("notatime stdout F x")]
    public void Parse_Malformed_ReturnsNull(string line)
    {
        Assert.Null(CriLogLine.Parse(line));
    }

    [Fact]
    public void Split_LinesAndRemainder_FullLinesOutRemainderKept()
    {
        var (lines, rest) = CriLogLine.Split(Encoding.UTF8.GetBytes("a\nbb\ncc"), "stdout", Time);

        Assert.Equal(["a", "bb"], lines.Select(l => l.Content));
        Assert.All(lines, l => Assert.False(l.Partial));
        Assert.Equal("cc", Encoding.UTF8.GetString(rest));
    }

    [Fact]
    public void Split_LongLine_CutIntoPartialFragments()
    {
        var (lines, rest) = CriLogLine.Split(Encoding.UTF8.GetBytes("abcdefghij\n"), "stdout", Time, maxLine: 4);

        Assert.Equal(["abcd", "efgh", "ij"], lines.Select(l => l.Content));
        Assert.Equal([true, true, false], lines.Select(l => l.Partial));
        Assert.Empty(rest);
    }

    [Fact]
    public void Join_PartialRuns_BecomeOneLinePerStream()
    {
        var joined = CriLogReader.Join(
        [
            new CriLogLine(Time, "stdout", true, "ab"),
            new CriLogLine(Time, "stderr", false, "err"),
            new CriLogLine(Time, "stdout", false, "cd"),
        ]).ToList();

        Assert.Equal(["err", "abcd"], joined.Select(l => l.Content));
    }
}
