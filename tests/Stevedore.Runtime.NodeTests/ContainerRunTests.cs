using Stevedore.Runtime.Containers;

namespace Stevedore.Runtime.NodeTests;

public sealed class ContainerRunTests
{
    [RootFact]
    public async Task Run_EchoPid_PrintsOneAndRemovesContainer()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();

        var (record, stdout, _) = await t.RunAsync(new ContainerOptions { Image = "busybox", Command = ["sh", "-c", "echo $$"], AutoRemove = true });

        Assert.Equal("1\n", stdout);
        Assert.Equal(0, record.ExitCode);
        Assert.Empty(t.Engine.Containers.List());
    }

    [RootFact]
    public async Task Run_Hostname_DiffersFromHostAndIsShortId()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();

        var (record, stdout, _) = await t.RunAsync(new ContainerOptions { Image = "busybox", Command = ["hostname"] });

        Assert.NotEqual(Environment.MachineName, stdout.Trim());
        Assert.Equal(record.ShortId, stdout.Trim());
    }

    [RootFact]
    public async Task Run_Ps_SeesOnlyContainerProcesses()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();

        var (_, stdout, _) = await t.RunAsync(new ContainerOptions { Image = "busybox", Command = ["sh", "-c", "ps -o pid,comm | tail -n +2"] });

        var pids = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => int.Parse(l.Trim().Split(' ')[0])).ToList();
        Assert.Contains(1, pids);
        Assert.All(pids, pid => Assert.True(pid < 20, $"pid {pid} looks like a host pid: {stdout}"));
        Assert.InRange(pids.Count, 2, 4);
    }

    [RootFact]
    public async Task Run_MemoryLimitExceeded_OomKilledWithExit137()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();

        var (record, _, _) = await t.RunAsync(new ContainerOptions
        {
            Image = "busybox",
            MemoryBytes = 32 * 1024 * 1024,
            Command = ["sh", "-c", "x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo survived"],
        });

        Assert.Equal(137, record.ExitCode);
        Assert.True(record.OomKilled);
    }

    [RootFact]
    public async Task Run_ExitCodeAndStderr_AreRecordedAndLogged()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();

        var (record, stdout, stderr) = await t.RunAsync(new ContainerOptions { Image = "busybox", Command = ["sh", "-c", "echo out; echo err >&2; exit 7"] });

        Assert.Equal(7, record.ExitCode);
        Assert.False(record.OomKilled);
        Assert.Equal("out\n", stdout);
        Assert.Equal("err\n", stderr);
        var logs = t.Engine.Logs(record.Id);
        Assert.Contains(logs, l => l.Stream == "stdout" && l.Content == "out");
        Assert.Contains(logs, l => l.Stream == "stderr" && l.Content == "err");
        var raw = File.ReadAllLines(t.Engine.LogPathOf(record.Id));
        Assert.All(raw, line => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (stdout|stderr) F ", line));
    }

    [RootFact]
    public async Task Run_TwentyConcurrently_AllSucceedWithTheirOwnOutput()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();

        var runs = Enumerable.Range(0, 20).Select(i => Task.Run(() => t.RunAsync(new ContainerOptions { Image = "busybox", Command = ["echo", "run-" + i], AutoRemove = true }))).ToList();
        var results = await Task.WhenAll(runs);

        Assert.All(results, r => Assert.Equal(0, r.Record.ExitCode));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"run-{i}\n"), results.Select(r => r.Stdout));
        Assert.Empty(t.Engine.Containers.List());
    }

    [RootFact]
    public async Task Run_UnknownImage_ThrowsNotFound()
    {
        await using var t = new TestEngine();

        var ex = await Assert.ThrowsAsync<EngineException>(() => t.RunAsync(new ContainerOptions { Image = "nosuchimage", Command = ["true"] }));

        Assert.Equal(EngineErrorKind.NotFound, ex.Kind);
        Assert.Contains("nosuchimage", ex.Message);
    }
}
