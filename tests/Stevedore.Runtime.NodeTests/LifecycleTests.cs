using System.Text;
using Stevedore.Runtime.Containers;

namespace Stevedore.Runtime.NodeTests;

public sealed class LifecycleTests
{
    private static readonly ContainerOptions Sleeper = new() { Image = "busybox", Command = ["sh", "-c", "echo started; trap 'echo bye; exit 3' TERM; while true; do sleep 0.1; done"] };

    [RootFact]
    public async Task Start_Detached_LogsExecAndStopWork()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(Sleeper, CancellationToken.None);
        Assert.Equal(ContainerStatus.Created, created.Status);

        var running = await t.Engine.StartAsync(created.Id, null, CancellationToken.None);
        Assert.Equal(ContainerStatus.Running, running.Status);
        Assert.True(running.Pid > 0);

        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var code = await t.Engine.ExecAsync(created.Id, new ExecOptions { Args = ["sh", "-c", "echo in-$HOSTNAME; echo oops >&2; exit 4"] }, null, stdout, stderr, CancellationToken.None);
        Assert.Equal(4, code);
        Assert.Equal($"in-{created.ShortId}\n", Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Equal("oops\n", Encoding.UTF8.GetString(stderr.ToArray()));

        await WaitForLogAsync(t.Engine, created.Id, "started");

        var stopped = await t.Engine.StopAsync(created.Id, TimeSpan.FromSeconds(10), null, CancellationToken.None);
        Assert.Equal(ContainerStatus.Exited, stopped.Status);
        Assert.Equal(3, stopped.ExitCode);
        Assert.Contains(t.Engine.Logs(created.Id), l => l.Content == "bye");
    }

    [RootFact]
    public async Task Exec_WithTty_RunsOnATerminal()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(Sleeper, CancellationToken.None);
        await t.Engine.StartAsync(created.Id, null, CancellationToken.None);

        var stdout = new MemoryStream();
        var code = await t.Engine.ExecAsync(created.Id, new ExecOptions { Args = ["tty"], Tty = true }, null, stdout, null, CancellationToken.None);

        Assert.True(code == 0, Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Matches(@"^/dev/pts/\d+\r?\n$", Encoding.UTF8.GetString(stdout.ToArray()));
        var plain = new MemoryStream();
        Assert.NotEqual(0, await t.Engine.ExecAsync(created.Id, new ExecOptions { Args = ["tty"] }, null, plain, null, CancellationToken.None));
    }

    [RootFact]
    public async Task Start_DetachedWithTty_OutputLoggedFromTerminal()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions { Image = "busybox", Tty = true, Command = ["sh", "-c", "tty; echo term=$TERM"] }, CancellationToken.None);

        await t.Engine.StartAsync(created.Id, null, CancellationToken.None);
        var exited = await t.Engine.WaitAsync(created.Id, CancellationToken.None);

        Assert.Equal(0, exited.ExitCode);
        var lines = t.Engine.Logs(created.Id).Select(l => l.Content.TrimEnd('\r')).ToList();
        Assert.Contains("/dev/pts/0", lines);
        Assert.Contains("term=xterm", lines);
    }

    [RootFact]
    public async Task Stop_ProcessIgnoringTerm_IsKilledAfterGrace()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions { Image = "busybox", Command = ["sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done"] }, CancellationToken.None);
        await t.Engine.StartAsync(created.Id, null, CancellationToken.None);
        await WaitForLogAsync(t.Engine, created.Id, "ready");

        var stopped = await t.Engine.StopAsync(created.Id, TimeSpan.FromMilliseconds(300), null, CancellationToken.None);

        Assert.Equal(137, stopped.ExitCode);
        Assert.False(stopped.OomKilled);
    }

    [RootFact]
    public async Task Restart_EngineReopened_StillKnowsAndControlsContainers()
    {
        await using var t = new TestEngine(withShim: true);
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(Sleeper, CancellationToken.None);
        var running = await t.Engine.StartAsync(created.Id, null, CancellationToken.None);
        Assert.NotEqual(Environment.ProcessId, running.SupervisorPid);
        var exited = await t.Engine.RunAsync(new ContainerOptions { Image = "busybox", Name = "done", Command = ["sh", "-c", "exit 5"] }, new AttachOptions(), CancellationToken.None);
        Assert.Equal(5, exited.ExitCode);

        var reopened = t.Reopen();
        var all = await reopened.ListContainersAsync(CancellationToken.None);
        Assert.Equal(2, all.Count);
        var sleeper = Assert.Single(all, c => c.Id == created.Id);
        Assert.Equal(ContainerStatus.Running, sleeper.Status);
        Assert.Equal(5, Assert.Single(all, c => c.Name == "done").ExitCode);

        var stdout = new MemoryStream();
        Assert.Equal(0, await reopened.ExecAsync(created.Name, new ExecOptions { Args = ["echo", "still here"] }, null, stdout, null, CancellationToken.None));
        Assert.Equal("still here\n", Encoding.UTF8.GetString(stdout.ToArray()));

        var stopped = await reopened.StopAsync(created.Name, TimeSpan.FromSeconds(10), null, CancellationToken.None);
        Assert.Equal(3, stopped.ExitCode);
        await reopened.RemoveAsync(created.Name, force: false, CancellationToken.None);
        Assert.Single(await reopened.ListContainersAsync(CancellationToken.None));
    }

    [RootFact]
    public async Task Refresh_ShimKilled_ContainerStillControllableAndMarkedExited()
    {
        await using var t = new TestEngine(withShim: true);
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions { Image = "busybox", Command = ["sleep", "30"] }, CancellationToken.None);
        var running = await t.Engine.StartAsync(created.Id, null, CancellationToken.None);

        using (var shim = System.Diagnostics.Process.GetProcessById(running.SupervisorPid))
        {
            shim.Kill();
            await shim.WaitForExitAsync();
        }

        var reopened = t.Reopen();
        Assert.Equal(ContainerStatus.Running, (await reopened.InspectContainerAsync(created.Id, CancellationToken.None)).Status);
        var stopped = await reopened.StopAsync(created.Id, TimeSpan.FromSeconds(1), null, CancellationToken.None);

        Assert.Equal(ContainerStatus.Exited, stopped.Status);
        Assert.Contains("supervisor", stopped.Error);
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mounts"), l => l.Contains(created.Id, StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Stats_RunningContainer_ReportsCgroupUsageAndLimit()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions { Image = "busybox", MemoryBytes = 64 * 1024 * 1024, PidsLimit = 50, Command = Sleeper.Command }, CancellationToken.None);
        await t.Engine.StartAsync(created.Id, null, CancellationToken.None);

        var stats = await t.Engine.StatsAsync(created.Id, CancellationToken.None);

        Assert.Equal(64 * 1024 * 1024, stats.MemoryLimitBytes);
        Assert.True(stats.MemoryUsageBytes > 0);
        Assert.True(stats.CpuUsageNanoseconds > 0);
        Assert.InRange(stats.Pids, 1, 50);
    }

    [RootFact]
    public async Task Create_JoinNetworkAndIpcOfAnother_SharesNamespaces()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();
        // A pod: the pause image (catatonit -P, as nobody) holds the namespaces, a workload joins them.
        await t.Engine.ImportAsync(TestImages.PauseLayout, null, CancellationToken.None);
        var infra = await t.Engine.CreateAsync(new ContainerOptions { Image = "registry.k8s.io/pause:3.9", Name = "infra" }, CancellationToken.None);
        var running = await t.Engine.StartAsync(infra.Id, null, CancellationToken.None);

        var (joined, joinedOut, joinedErr) = await t.RunAsync(new ContainerOptions { Image = "busybox", Network = "container:infra", Ipc = "container:infra", Command = ["sh", "-c", NsScript] });

        Assert.True(joined.ExitCode == 0, joinedErr);
        var mine = joinedOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new FileInfo($"/proc/{running.Pid}/ns/net").LinkTarget, mine[0]);
        Assert.Equal(new FileInfo($"/proc/{running.Pid}/ns/ipc").LinkTarget, mine[1]);
        Assert.NotEqual(new FileInfo($"/proc/{running.Pid}/ns/uts").LinkTarget, mine[2]);
        Assert.Equal("65534", File.ReadAllLines($"/proc/{running.Pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1]);

        var stopped = await t.Engine.StopAsync("infra", TimeSpan.FromSeconds(10), null, CancellationToken.None);
        Assert.Equal(ContainerStatus.Exited, stopped.Status);
        Assert.NotEqual(137, stopped.ExitCode);
    }

    private const string NsScript = "for ns in net ipc uts; do readlink /proc/self/ns/$ns; done";

    private static async Task WaitForLogAsync(ContainerEngine engine, string id, string line)
    {
        for (var i = 0; i < 500; i++)
        {
            if (engine.Logs(id).Any(l => l.Content == line))
            {
                return;
            }

            await Task.Delay(10);
        }

        Assert.Fail($"log line \"{line}\" never appeared");
    }
}
