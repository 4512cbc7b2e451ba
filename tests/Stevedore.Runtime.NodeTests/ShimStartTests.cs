using System.Diagnostics;
using Stevedore.Runtime.Containers;

namespace Stevedore.Runtime.NodeTests;

/// <summary>
/// How the engine starts a shim: directly, as its own child, and the shim detaches itself (a session of its
/// own, stdin from /dev/null, stdout and stderr appended to shim.log); a shim that dies before that is
/// reported with what it said.
/// </summary>
public sealed class ShimStartTests
{
    // As PID 1 in its namespace, sh ignores SIGTERM unless it traps it.
    private const string Sleeps = "trap 'exit 0' TERM; while true; do sleep 0.1; done";

    [RootTheory]
    [InlineData(SupervisorKind.ManagedShim)]
    [InlineData(SupervisorKind.NativeShim)]
    public async Task StartAsync_Shim_IsOurChildInItsOwnSessionWithStdioOnDevNullAndShimLog(SupervisorKind supervisor)
    {
        await using var t = TestEngine.For(supervisor);
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions { Image = "busybox", Command = ["sh", "-c", Sleeps] }, CancellationToken.None);

        var running = await t.Engine.StartAsync(created.Id, null, CancellationToken.None);

        var pid = running.SupervisorPid;
        Assert.NotEqual(Environment.ProcessId, pid);
        var stat = ProcStat(pid);
        // No `sh -c 'setsid ... &'` in between: the engine's own child, which then called setsid().
        Assert.Equal(Environment.ProcessId, stat.ParentPid);
        Assert.Equal(pid, stat.SessionId);
        Assert.Equal(pid, stat.ProcessGroupId);
        Assert.Equal("/dev/null", FdTarget(pid, 0));
        var shimLog = t.Engine.Containers.PathsOf(created.Id).ShimLog;
        Assert.Equal(shimLog, FdTarget(pid, 1));
        Assert.Equal(shimLog, FdTarget(pid, 2));

        var stopped = await t.Engine.StopAsync(created.Id, TimeSpan.FromSeconds(30), null, CancellationToken.None);

        Assert.Equal(ContainerStatus.Exited, stopped.Status);
        // Our child: .NET reaps it when it exits, no zombie is left behind.
        await WaitUntilGoneAsync(pid);
    }

    [RootFact]
    public async Task StartAsync_ShimExitsBeforeDetaching_FailsWithWhatItSaid()
    {
        // A stand-in shim that complains and exits, as one given bad arguments would; $5 is the container ID.
        await using var t = new TestEngine(shimCommand: ["/bin/sh", "-c", "echo \"cannot supervise $5\" >&2; exit 3", "broken-shim"]);
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions { Image = "busybox", Command = ["true"] }, CancellationToken.None);

        var error = await Assert.ThrowsAsync<EngineException>(() => t.Engine.StartAsync(created.Id, null, CancellationToken.None));

        Assert.Equal(EngineErrorKind.Runtime, error.Kind);
        Assert.Contains("its shim exited with 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot supervise " + created.Id, error.Message, StringComparison.Ordinal);
        Assert.Equal(ContainerStatus.Created, t.Engine.Containers.Get(created.Id).Status);
    }

    [RootFact]
    public async Task NativeShim_UnknownContainer_ExitsWithNoSuchContainerOnStderr()
    {
        var dataDir = Directory.CreateTempSubdirectory("stevedore-shim-test-").FullName;
        try
        {
            var info = new ProcessStartInfo(PublishedBinaries.NativeShim) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { dataDir, "runc", Path.Combine(dataDir, "runc"), "/stevedore-shim-test", "no-such-id" })
            {
                info.ArgumentList.Add(a);
            }

            using var shim = Process.Start(info)!;
            var stderr = shim.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await shim.WaitForExitAsync(timeout.Token);

            Assert.Equal(2, shim.ExitCode);
            Assert.Equal("stevedore-shim: no such container: no-such-id", (await stderr).Trim());
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static (int ParentPid, int ProcessGroupId, int SessionId) ProcStat(int pid)
    {
        // pid (comm) state ppid pgrp session ...; comm may hold spaces, so split after the last ')'.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string? FdTarget(int pid, int fd) => new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget;

    private static async Task WaitUntilGoneAsync(int pid)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(1); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            if (!Directory.Exists($"/proc/{pid}"))
            {
                return;
            }
        }

        Assert.Fail($"the shim (pid {pid}) is still there (running or a zombie): {File.ReadAllText($"/proc/{pid}/stat")}");
    }
}
