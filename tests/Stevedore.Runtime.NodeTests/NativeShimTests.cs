using System.Diagnostics;
using System.Text;
using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Snapshots;

namespace Stevedore.Runtime.NodeTests;

/// <summary>
/// The published native (NativeAOT) shim, <c>out/stevedore-shim</c>, supervising real containers: the
/// same supervisor as <c>stevedore engine shim</c>, compiled ahead of time. Every test fails when the
/// publish output lacks the shim.
/// </summary>
public sealed class NativeShimTests
{
    private const string TrapsTerm = "echo out; echo err >&2; trap 'echo bye; exit 7' TERM; while true; do sleep 0.1; done";

    [RootFact]
    public void Publish_Output_HoldsANativeShimBesideTheBinary()
    {
        var shim = PublishedBinaries.NativeShim;
        var bytes = File.ReadAllBytes(shim);

        Assert.Equal([0x7f, (byte)'E', (byte)'L', (byte)'F'], bytes[..4]);
        // An apphost (a managed app's launcher) loads libhostfxr.so and needs stevedore-shim.dll; native code does neither.
        Assert.Equal(-1, bytes.AsSpan().IndexOf("libhostfxr.so"u8));
        Assert.False(File.Exists(Path.ChangeExtension(shim, ".dll")));
    }

    [RootFact]
    public async Task NativeShim_DetachedContainer_LogsInCriLogAndRecordsExitCode()
    {
        var shim = PublishedBinaries.NativeShim;
        await using var t = new TestEngine(shimCommand: [shim]);
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions { Image = "busybox", Command = ["sh", "-c", TrapsTerm] }, CancellationToken.None);

        var running = await t.Engine.StartAsync(created.Id, null, CancellationToken.None);

        Assert.Equal(ContainerStatus.Running, running.Status);
        Assert.Equal(shim, new FileInfo($"/proc/{running.SupervisorPid}/exe").LinkTarget);
        Assert.True(File.Exists(AttachServer.SocketPathOf(t.Options.RuntimeRoot, created.Id)), "the shim serves the attach socket");
        await WaitForLogAsync(t.Engine, created.Id, "err");

        var stopped = await t.Engine.StopAsync(created.Id, TimeSpan.FromSeconds(30), null, CancellationToken.None);

        Assert.Equal(ContainerStatus.Exited, stopped.Status);
        Assert.Equal(7, stopped.ExitCode);
        Assert.False(stopped.OomKilled);
        Assert.Null(stopped.Error);
        var logs = t.Engine.Logs(created.Id).Select(l => (l.Stream, l.Content)).ToList();
        Assert.Equal(new[] { ("stdout", "out"), ("stderr", "err"), ("stdout", "bye") }.Order(), logs.Order());
        // The shim's clean-up: runc state and rootfs mount gone, then the shim itself.
        Assert.False(Directory.Exists(Path.Combine(t.Options.RuntimeRoot, created.Id)));
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mounts"), l => l.Contains(created.Id, StringComparison.Ordinal));
        await WaitForExitAsync(running.SupervisorPid);
    }

    [RootFact]
    public async Task NativeShim_MemoryLimitExceeded_RecordsOomKillWithExit137()
    {
        await using var t = new TestEngine(shimCommand: [PublishedBinaries.NativeShim]);
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions
        {
            Image = "busybox",
            MemoryBytes = 32 * 1024 * 1024,
            Command = ["sh", "-c", "sleep 0.5; x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo survived"],
        }, CancellationToken.None);

        var running = await t.Engine.StartAsync(created.Id, null, CancellationToken.None);
        Assert.Equal(PublishedBinaries.NativeShim, new FileInfo($"/proc/{running.SupervisorPid}/exe").LinkTarget);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var exited = await t.Engine.WaitAsync(created.Id, timeout.Token);

        Assert.Equal(137, exited.ExitCode);
        Assert.True(exited.OomKilled);
        Assert.DoesNotContain(t.Engine.Logs(created.Id), l => l.Content == "survived");
    }

    [RootFact]
    public async Task NativeShim_RemoveForceOfRunningContainers_RemovesEveryOne()
    {
        // RemoveAsync kills with SIGKILL, then `runc kill --all`; a shim this fast may delete the exited
        // container in between, and runc then failed on its vanished cgroup (once in about 30 removals).
        await using var t = TestEngine.For(SupervisorKind.NativeShim);
        await t.ImportBusyboxAsync();
        for (var i = 0; i < 20; i++)
        {
            var created = await t.Engine.CreateAsync(new ContainerOptions { Image = "busybox", Command = ["sleep", "3600"] }, CancellationToken.None);
            await t.Engine.StartAsync(created.Id, null, CancellationToken.None);

            await t.Engine.RemoveAsync(created.Id, force: true, CancellationToken.None);

            var gone = Assert.Throws<EngineException>(() => t.Engine.Containers.Find(created.Id));
            Assert.Equal(EngineErrorKind.NotFound, gone.Kind);
        }
    }

    [RootFact]
    public async Task EngineCli_Published_StartsTheNativeShimWhichOutlivesTheEngineProcess()
    {
        await RunDetachedThroughCliAsync(PublishedBinaries.Stevedore, supervisorPid =>
            Assert.Equal(PublishedBinaries.NativeShim, new FileInfo($"/proc/{supervisorPid}/exe").LinkTarget));
    }

    [RootFact]
    public async Task EngineCli_NoNativeShimBeside_FallsBackToTheManagedShim()
    {
        // The publish output without stevedore-shim (hard links: the apphost finds stevedore.dll beside itself).
        var published = Path.GetDirectoryName(PublishedBinaries.Stevedore)!;
        var withoutShim = Directory.CreateTempSubdirectory("stevedore-no-native-shim-").FullName;
        try
        {
            foreach (var file in Directory.EnumerateFiles(published).Where(f => !Path.GetFileName(f).StartsWith(PublishedBinaries.NativeShimFileName, StringComparison.Ordinal)))
            {
                Native.Libc.Check(Native.Libc.Link(file, Path.Combine(withoutShim, Path.GetFileName(file))), "link " + file);
            }

            var stevedore = Path.Combine(withoutShim, "stevedore");
            await RunDetachedThroughCliAsync(stevedore, supervisorPid =>
            {
                Assert.Equal(stevedore, new FileInfo($"/proc/{supervisorPid}/exe").LinkTarget);
                var args = File.ReadAllText($"/proc/{supervisorPid}/cmdline").Split('\0');
                Assert.Equal(["engine", "shim"], args[1..3]);
            });
        }
        finally
        {
            Directory.Delete(withoutShim, recursive: true);
        }
    }

    /// <summary>
    /// <c>stevedore engine run -d</c> with <paramref name="stevedore"/>, checks the running container's
    /// supervisor with <paramref name="assertSupervisor"/> after the CLI has exited, then stops it.
    /// </summary>
    private static async Task RunDetachedThroughCliAsync(string stevedore, Action<int> assertSupervisor)
    {
        var dataDir = Directory.CreateTempSubdirectory("stevedore-native-shim-test-").FullName;
        string? id = null;
        try
        {
            await CliAsync(stevedore, "engine", "--data-dir", dataDir, "import", TestImages.BusyboxLayout);

            // `run -d` returns once the container runs: the engine process is gone from then on.
            id = (await CliAsync(stevedore, "engine", "--data-dir", dataDir, "run", "-d", "busybox", "sh", "-c", TrapsTerm)).Trim();

            var store = new ContainerStore(Path.Combine(dataDir, "containers"));
            var running = store.Get(id);
            Assert.Equal(ContainerStatus.Running, running.Status);
            assertSupervisor(running.SupervisorPid);
            Assert.True(Directory.Exists($"/proc/{running.Pid}"), "the container's process runs after the engine exited");
            await WaitForLogLineAsync(store.PathsOf(id).Log, "err");

            await CliAsync(stevedore, "engine", "--data-dir", dataDir, "stop", "--time", "30", id);

            var stopped = store.Get(id);
            Assert.Equal(ContainerStatus.Exited, stopped.Status);
            Assert.Equal(7, stopped.ExitCode);
            Assert.Contains(CriLogReader.ReadAll(store.PathsOf(id).Log, -1), l => l is { Stream: "stdout", Content: "bye" });
            await WaitForExitAsync(running.SupervisorPid);
        }
        finally
        {
            if (id is not null)
            {
                await RunAsync(stevedore, "engine", "--data-dir", dataDir, "rm", "--force", id);
                // Should rm have failed: the CLI's default runtime root.
                await new RuncClient("runc", "/run/stevedore/runc").DeleteAsync(id, CancellationToken.None);
            }

            foreach (var mount in File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(dataDir, StringComparison.Ordinal)))
            {
                Snapshotter.Unmount(mount);
            }

            Snapshotter.RemoveTree(dataDir);
        }
    }

    private static async Task<string> CliAsync(string binary, params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync(binary, args);
        Assert.True(code == 0, $"{string.Join(' ', args)} exited with {code}: {stderr}");
        return stdout;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string binary, params string[] args)
    {
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static Task WaitForLogAsync(ContainerEngine engine, string id, string line) =>
        WaitForLogLineAsync(engine.LogPathOf(id), line);

    private static async Task WaitForLogLineAsync(string logPath, string line)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(1); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            if (CriLogReader.ReadAll(logPath, -1).Any(l => l.Content == line))
            {
                return;
            }
        }

        Assert.Fail($"\"{line}\" never reached {logPath}: {Encoding.UTF8.GetString(File.ReadAllBytes(logPath))}");
    }

    /// <summary>Waits until the (not our child) process is gone or a zombie.</summary>
    private static async Task WaitForExitAsync(int pid)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(1); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            string stat;
            try
            {
                stat = await File.ReadAllTextAsync($"/proc/{pid}/stat");
            }
            catch (IOException)
            {
                return;
            }

            if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z'))
            {
                return;
            }
        }

        Assert.Fail($"the shim (pid {pid}) still runs after its container exited");
    }
}
