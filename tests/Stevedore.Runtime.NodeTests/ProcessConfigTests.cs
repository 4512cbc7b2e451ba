using Stevedore.Runtime.Containers;

namespace Stevedore.Runtime.NodeTests;

/// <summary>What the container process sees: user, env, cwd, capabilities, limits, mounts.</summary>
public sealed class ProcessConfigTests
{
    [RootFact]
    public async Task Run_UserEnvWorkdirAndRlimit_Applied()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();

        var (record, stdout, stderr) = await t.RunAsync(new ContainerOptions
        {
            Image = "busybox",
            User = "nobody",
            Env = ["GREETING=hi there"],
            WorkingDir = "/tmp",
            Ulimits = ["nofile=512:800"],
            Command = ["sh", "-c", "id -u; id -g; echo $GREETING; pwd; ulimit -n; ulimit -Hn"],
        });

        Assert.True(record.ExitCode == 0, stderr);
        Assert.Equal(["65534", "65534", "hi there", "/tmp", "512", "800"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [RootFact]
    public async Task Run_CapDropChown_ChownFails()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();

        var (allowed, _, _) = await t.RunAsync(new ContainerOptions { Image = "busybox", Command = ["sh", "-c", "touch /f && chown 1:1 /f"] });
        var (denied, _, _) = await t.RunAsync(new ContainerOptions { Image = "busybox", CapDrop = ["CHOWN"], Command = ["sh", "-c", "touch /f && chown 1:1 /f"] });

        Assert.Equal(0, allowed.ExitCode);
        Assert.NotEqual(0, denied.ExitCode);
    }

    [RootFact]
    public async Task Run_ReadOnlyRootfsAndBindMount_WritesOnlyToTheBind()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();
        var shared = Path.Combine(t.Root, "shared");
        Directory.CreateDirectory(shared);

        var (record, stdout, _) = await t.RunAsync(new ContainerOptions
        {
            Image = "busybox",
            ReadOnlyRootfs = true,
            Binds = [shared + ":/data"],
            Command = ["sh", "-c", "touch /nope 2>/dev/null && echo wrote-root; echo from-container > /data/out; echo done"],
        });

        Assert.Equal(0, record.ExitCode);
        Assert.Equal("done\n", stdout);
        Assert.Equal("from-container\n", await File.ReadAllTextAsync(Path.Combine(shared, "out")));
    }

    [RootFact]
    public async Task Start_CpusAndPidsLimit_WrittenToCgroupAndEnforced()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions { Image = "busybox", Cpus = 0.5, PidsLimit = 5, Command = ["sleep", "30"] }, CancellationToken.None);
        await t.Engine.StartAsync(created.Id, null, CancellationToken.None);

        var cgroup = t.Engine.CgroupPathOf(created.Id).TrimStart('/');
        var unified = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        var quota = unified
            ? File.ReadAllText(Path.Combine("/sys/fs/cgroup", cgroup, "cpu.max")).Trim()
            : File.ReadAllText(Path.Combine("/sys/fs/cgroup/cpu", cgroup, "cpu.cfs_quota_us")).Trim();
        var pidsMax = File.ReadAllText(Path.Combine(unified ? "/sys/fs/cgroup" : "/sys/fs/cgroup/pids", cgroup, "pids.max")).Trim();
        Assert.Equal(unified ? "50000 100000" : "50000", quota);
        Assert.Equal("5", pidsMax);

        // sleep + sh + 8 background children cannot fit in 5 pids.
        var stderr = new MemoryStream();
        var code = await t.Engine.ExecAsync(created.Id, new ExecOptions { Args = ["sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 2 & done; wait"] }, null, null, stderr, CancellationToken.None);
        Assert.NotEqual(0, code);
        // Either the shell cannot fork or runc cannot even start its threads: both hit the pids limit.
        Assert.Contains("Resource temporarily unavailable", System.Text.Encoding.UTF8.GetString(stderr.ToArray()), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Run_HostsAndHostnameFiles_ComeFromInitLayer()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();

        var (record, stdout, _) = await t.RunAsync(new ContainerOptions { Image = "busybox", Hostname = "box-1", Command = ["sh", "-c", "cat /etc/hostname; grep box-1 /etc/hosts; hostname"] });

        Assert.Equal(0, record.ExitCode);
        Assert.Equal(["box-1", "127.0.1.1\tbox-1", "box-1"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(Directory.GetFileSystemEntries(t.Engine.Containers.PathsOf(record.Id).Upper));
    }
}
