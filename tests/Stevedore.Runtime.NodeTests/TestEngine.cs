using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Snapshots;

namespace Stevedore.Runtime.NodeTests;

/// <summary>Who supervises a detached container: the engine's own process, or a shim of its own.</summary>
public enum SupervisorKind
{
    InEngine,

    /// <summary>This test assembly as a managed shim (<see cref="ShimProgram"/>), as <c>stevedore engine shim</c>.</summary>
    ManagedShim,

    /// <summary>The published NativeAOT shim, <c>out/stevedore-shim</c>.</summary>
    NativeShim,
}

/// <summary>
/// An engine over a throwaway data directory, runc state root and cgroup parent. Disposing removes
/// every container (runc delete, unmount), the cgroups and the directory, even after a failed test.
/// </summary>
public sealed class TestEngine : IAsyncDisposable
{
    private static readonly string[] CgroupControllers = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd", "unified", ""];

    /// <param name="withShim">Detached containers get this test assembly as their shim (<see cref="ShimProgram"/>).</param>
    /// <param name="shimCommand">Detached containers get this shim instead (e.g. the published native shim).</param>
    public TestEngine(bool withShim = false, IReadOnlyList<string>? shimCommand = null)
    {
        Root = Directory.CreateTempSubdirectory("stevedore-engine-test-").FullName;
        CgroupParent = "/stevedore-test-" + Path.GetFileName(Root).Split('-')[^1];
        Options = new EngineOptions
        {
            DataDir = Path.Combine(Root, "data"),
            RuntimeRoot = Path.Combine(Root, "runc"),
            CgroupParent = CgroupParent,
            ShimCommand = shimCommand ?? (withShim ? ShimProgram.Command : null),
            RegistryConfigPath = null,
        };
        Engine = new ContainerEngine(Options);
    }

    /// <summary>An engine whose detached containers are supervised by <paramref name="supervisor"/>.</summary>
    public static TestEngine For(SupervisorKind supervisor) => supervisor switch
    {
        SupervisorKind.InEngine => new TestEngine(),
        SupervisorKind.ManagedShim => new TestEngine(withShim: true),
        SupervisorKind.NativeShim => new TestEngine(shimCommand: [PublishedBinaries.NativeShim]),
        _ => throw new ArgumentOutOfRangeException(nameof(supervisor)),
    };

    public string Root { get; }
    public string CgroupParent { get; }
    public EngineOptions Options { get; }
    public ContainerEngine Engine { get; }

    /// <summary>A second engine over the same data, as after a restart.</summary>
    public ContainerEngine Reopen() => new(Options);

    /// <summary>Imports the busybox test image and returns its name.</summary>
    public async Task<string> ImportBusyboxAsync()
    {
        await Engine.ImportAsync(TestImages.BusyboxLayout, null, CancellationToken.None);
        return "busybox";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var record in Engine.Containers.List())
        {
            try
            {
                await Engine.Runc.KillAsync(record.Id, "SIGKILL", all: true, CancellationToken.None);
            }
            catch (EngineException)
            {
            }

            for (var i = 0; i < 100 && await Engine.Runc.StateAsync(record.Id, CancellationToken.None) == "running"; i++)
            {
                await Task.Delay(20);
            }

            await Engine.Runc.DeleteAsync(record.Id, CancellationToken.None);
            Snapshotter.Unmount(Engine.Containers.PathsOf(record.Id).Rootfs);
        }

        // Give supervisors a moment to record the exits before the directory disappears.
        await Task.Delay(50);
        foreach (var controller in CgroupControllers)
        {
            var dir = Path.Combine("/sys/fs/cgroup", controller, CgroupParent.TrimStart('/'));
            if (Directory.Exists(dir))
            {
                foreach (var child in Directory.GetDirectories(dir))
                {
                    TryRmdir(child);
                }

                TryRmdir(dir);
            }
        }

        foreach (var mount in File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(Root, StringComparison.Ordinal)))
        {
            Snapshotter.Unmount(mount);
        }

        Snapshotter.RemoveTree(Root);
    }

    private static void TryRmdir(string dir)
    {
        try
        {
            Directory.Delete(dir);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Runs a busybox command to completion and returns (record, stdout, stderr).</summary>
    public async Task<(ContainerRecord Record, string Stdout, string Stderr)> RunAsync(ContainerOptions options)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var record = await Engine.RunAsync(options, new AttachOptions { Stdout = stdout, Stderr = stderr }, CancellationToken.None);
        return (record, System.Text.Encoding.UTF8.GetString(stdout.ToArray()), System.Text.Encoding.UTF8.GetString(stderr.ToArray()));
    }
}
