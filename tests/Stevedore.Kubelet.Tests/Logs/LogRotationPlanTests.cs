using Stevedore.Kubelet.Logs;

namespace Stevedore.Kubelet.Tests.Logs;

public sealed class LogRotationPlanTests
{
    private const string Log = "/var/log/pods/ns_p_u/c/0.log";
    private static readonly DateTimeOffset Now = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    public static TheoryData<string, string[], int, string[], string[]> Cases => new()
    {
        // name, rotated files present (suffix after "0.log."), max files, removed, compressed
        { "first rotation", [], 5, [], [] },
        { "one plain rotated file is compressed", ["20240506-070000"], 5, [], ["20240506-070000"] },
        { "room for max-2 older files", ["20240506-070000.gz", "20240506-070100.gz", "20240506-070200"], 5, [], ["20240506-070200"] },
        { "oldest removed first", ["20240506-070000.gz", "20240506-070100.gz", "20240506-070200.gz", "20240506-070300"], 5, ["20240506-070000.gz"], ["20240506-070300"] },
        { "max 2 keeps no older file", ["20240506-070000.gz", "20240506-070100"], 2, ["20240506-070000.gz", "20240506-070100"], [] },
        { "max 3 keeps the newest older one", ["20240506-070000.gz", "20240506-070100"], 3, ["20240506-070000.gz"], ["20240506-070100"] },
        { "interrupted compression: temp removed, plain kept", ["20240506-070000", "20240506-070000.gz.tmp"], 5, ["20240506-070000.gz.tmp"], ["20240506-070000"] },
        { "compressed but not deleted: plain removed", ["20240506-070000", "20240506-070000.gz"], 5, ["20240506-070000"], [] },
        { "order is by timestamp, not by listing", ["20240506-070300", "20240506-070000.gz", "20240506-070200.gz", "20240506-070100.gz"], 4, ["20240506-070000.gz", "20240506-070100.gz"], ["20240506-070300"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void For_RotatedFiles_RemovesCompressesAndNamesByTimestamp(string name, string[] present, int maxFiles, string[] removed, string[] compressed)
    {
        var files = present.Select(s => Log + "." + s).Append(Log).Append("/var/log/pods/ns_p_u/c/1.log").Append("/var/log/pods/ns_p_u/c/1.log.20240506-070000");

        var plan = LogRotationPlan.For(Log, files, maxFiles, Now);

        Assert.NotNull(plan);
        Assert.Equal(removed.Select(s => Log + "." + s).Order(StringComparer.Ordinal), plan.Remove.Order(StringComparer.Ordinal));
        Assert.Equal(compressed.Select(s => Log + "." + s), plan.Compress);
        Assert.Equal(Log + ".20240506-070809", plan.RotateTo);
        // After the rename: what was there and was not removed, the newly rotated file and the current one.
        Assert.True(present.Length - removed.Length + 2 <= maxFiles, name);
    }

    [Theory]
    [InlineData("20240506-070809")]
    [InlineData("20240506-070809.gz")]
    public void For_RotatedFileOfThisSecondExists_WaitsForTheNextRound(string existing)
    {
        Assert.Null(LogRotationPlan.For(Log, [Log, Log + "." + existing], 5, Now));
    }

    [Fact]
    public void For_LocalClock_NamesInUtc()
    {
        var plan = LogRotationPlan.For(Log, [], 5, new DateTimeOffset(2024, 5, 6, 9, 8, 9, TimeSpan.FromHours(2)));
        Assert.Equal(Log + ".20240506-070809", plan!.RotateTo);
    }

    [Fact]
    public void For_MaxFilesBelowTwo_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LogRotationPlan.For(Log, [], 1, Now));
    }
}
