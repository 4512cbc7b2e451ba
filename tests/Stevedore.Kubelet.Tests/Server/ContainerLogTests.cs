using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Stevedore.Kubelet.Server.Logs;

namespace Stevedore.Kubelet.Tests.Server;

public sealed class ContainerLogTests
{
    private static readonly DateTimeOffset Now = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    [Fact]
    public void Parse_FullAndPartialLines_ReadsTimeStreamTagAndRawContent()
    {
        var full = CriLogEntry.Parse("2024-05-06T07:08:09.123456789Z stdout F hello world"u8)!;
        var partial = CriLogEntry.Parse("2024-05-06T07:08:09.5Z stderr P part "u8)!;

        Assert.Equal(("stdout", false, "hello world"), (full.Stream, full.Partial, Encoding.UTF8.GetString(full.Content)));
        Assert.Equal(new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1234567), full.Time);
        Assert.Equal(123456789, full.Nanoseconds);
        Assert.Equal("2024-05-06T07:08:09.123456789Z", full.FormatTimestamp());
        Assert.Equal(("stderr", true, "part "), (partial.Stream, partial.Partial, Encoding.UTF8.GetString(partial.Content)));
    }

    [Fact]
    public void Parse_EmptyContent_IsAnEmptyLine()
    {
        var entry = CriLogEntry.Parse("2024-05-06T07:08:09Z stdout F"u8)!;

        Assert.Empty(entry.Content);
        Assert.False(entry.Partial);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a log line")]
    [InlineData("2024-05-06T07:08:09Z stdin F x")]
    [InlineData("2024-05-06T07:08:09Z stdout X x")]
    [InlineData("yesterday stdout F x")]
    public void Parse_Malformed_IsNull(string line)
    {
        Assert.Null(CriLogEntry.Parse(Encoding.UTF8.GetBytes(line)));
    }

    [Fact]
    public void FormatTimestamp_IsRfc3339WithNineFractionDigitsInUtc()
    {
        Assert.Equal("2024-05-06T07:08:09.120000000Z", Entry(Now.AddMilliseconds(120), "").FormatTimestamp());
        Assert.Equal("2024-05-06T05:08:09.000000000Z", CriLogEntry.Parse("2024-05-06T07:08:09+02:00 stdout F x"u8)!.FormatTimestamp());
        Assert.Equal("2024-05-06T07:08:09.500000000Z", CriLogEntry.Parse("2024-05-06T07:08:09.5Z stdout F x"u8)!.FormatTimestamp());
    }

    [Fact]
    public void Formatter_PartialLines_AreJoinedWithoutNewline()
    {
        var formatter = new LogFormatter(new ContainerLogOptions());

        var output = Concat(formatter, Entry(Now, "ab", partial: true), Entry(Now, "cd"), Entry(Now, ""));

        Assert.Equal("abcd\n\n", output);
    }

    [Fact]
    public void Formatter_Timestamps_PrefixEveryEntry()
    {
        var formatter = new LogFormatter(new ContainerLogOptions { Timestamps = true });

        var output = Concat(formatter, Entry(Now, "one"), Entry(Now.AddSeconds(1), "two"));

        Assert.Equal("2024-05-06T07:08:09.000000000Z one\n2024-05-06T07:08:10.000000000Z two\n", output);
    }

    [Fact]
    public void Formatter_Since_SkipsOlderEntries()
    {
        var formatter = new LogFormatter(new ContainerLogOptions { Since = Now.AddSeconds(1) });

        var output = Concat(formatter, Entry(Now, "old"), Entry(Now.AddSeconds(1), "exact"), Entry(Now.AddSeconds(2), "new"));

        Assert.Equal("exact\nnew\n", output);
    }

    [Fact]
    public void Formatter_LimitBytes_CutsInsideAnEntryAndThenStops()
    {
        var formatter = new LogFormatter(new ContainerLogOptions { LimitBytes = 6 });

        var output = Concat(formatter, Entry(Now, "abcd"), Entry(Now, "efgh"), Entry(Now, "ijkl"));

        Assert.Equal("abcd\ne", output);
        Assert.True(formatter.LimitReached);
    }

    [Theory]
    [InlineData("a\nb\nc\n", 2, 2)]
    [InlineData("a\nb\nc\n", 3, 0)]
    [InlineData("a\nb\nc\n", 10, 0)]
    [InlineData("a\nb\nc\n", 0, 6)]
    [InlineData("a\nb\nc", 1, 4)]
    [InlineData("", 5, 0)]
    public void Tail_FindsTheStartOfTheLastLines(string content, long lines, long expected)
    {
        Assert.Equal(expected, LogTail.FindStart(new MemoryStream(Encoding.ASCII.GetBytes(content)), lines));
    }

    [Fact]
    public void Tail_AcrossReadBlocks_CountsEveryNewline()
    {
        var text = string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i} {new string('x', i % 50)}\n"));
        var bytes = Encoding.ASCII.GetBytes(text);

        var start = LogTail.FindStart(new MemoryStream(bytes), 1234);

        Assert.StartsWith("line 3766 ", Encoding.ASCII.GetString(bytes, (int)start, 12), StringComparison.Ordinal);
        Assert.Equal(1234, Encoding.ASCII.GetString(bytes, (int)start, bytes.Length - (int)start).Count(c => c == '\n'));
    }

    [Fact]
    public void Options_FromQuery_ReadsEveryField()
    {
        var options = ContainerLogOptions.FromQuery(Query(("follow", "true"), ("previous", "1"), ("timestamps", "true"), ("tailLines", "10"), ("limitBytes", "99"), ("sinceSeconds", "60")), Now, out _)!;

        Assert.True(options.Follow && options.Previous && options.Timestamps);
        Assert.Equal((10L, 99L), (options.TailLines!.Value, options.LimitBytes!.Value));
        Assert.Equal(Now.AddMinutes(-1), options.Since);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), ContainerLogOptions.FromQuery(Query(("sinceTime", "2024-01-02T03:04:05Z")), Now, out _)!.Since);
    }

    [Theory]
    [InlineData("tailLines", "-1")]
    [InlineData("limitBytes", "0")]
    [InlineData("sinceSeconds", "abc")]
    [InlineData("sinceTime", "not-a-time")]
    public void Options_FromQuery_BadValue_SaysWhich(string name, string value)
    {
        Assert.Null(ContainerLogOptions.FromQuery(Query((name, value)), Now, out var error));
        Assert.StartsWith(name, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_FromQuery_SinceTimeAndSinceSeconds_AreExclusive()
    {
        Assert.Null(ContainerLogOptions.FromQuery(Query(("sinceTime", "2024-01-02T03:04:05Z"), ("sinceSeconds", "5")), Now, out var error));
        Assert.Contains("at most one", error, StringComparison.Ordinal);
    }

    private static CriLogEntry Entry(DateTimeOffset time, string content, bool partial = false) => new(time, "stdout", partial, Encoding.UTF8.GetBytes(content));

    private static string Concat(LogFormatter formatter, params CriLogEntry[] entries) =>
        string.Concat(entries.Select(e => Encoding.UTF8.GetString(formatter.Format(e))));

    private static QueryCollection Query(params (string Name, string Value)[] pairs) =>
        new(pairs.ToDictionary(p => p.Name, p => new StringValues(p.Value)));
}
