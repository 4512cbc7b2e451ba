using Stevedore.Runtime;
using Stevedore.Runtime.Cri;
using Stevedore.Runtime.Snapshots;

namespace Stevedore.Kubelet.NodeTests;

/// <summary>The node with Stevedore's own engine behind its CRI server (in this process, throwaway data dir, runc root and cgroup parent).</summary>
public sealed class StevedoreNodeFixture : NodeFixture
{
    private static readonly string[] CgroupControllers = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd", "unified", ""];
    private ContainerEngine? _engine;
    private CriServer? _criServer;

    public override string RuntimeName => "stevedore";

    private string CgroupParent => "/stevedore-kubelet-test-" + Path.GetFileName(Root).Split('-')[^1];

    protected override async Task<string> StartRuntimeAsync()
    {
        _engine = new ContainerEngine(new EngineOptions
        {
            DataDir = Path.Combine(Root, "engine"),
            RuntimeRoot = Path.Combine(Root, "runc"),
            CgroupParent = CgroupParent,
            RegistryConfigPath = null,
        });
        foreach (var tar in new[] { TestImages.PauseTar, TestImages.BusyboxTar })
        {
            await _engine.ImportAsync(tar, null, CancellationToken.None);
        }

        _criServer = await CriServer.StartAsync(_engine, Path.Combine(Root, "cri.sock"), CancellationToken.None);
        return _criServer.SocketPath;
    }

    protected override async Task StopRuntimeAsync()
    {
        if (_criServer is not null)
        {
            await _criServer.DisposeAsync();
        }

        if (_engine is null)
        {
            return;
        }

        foreach (var record in _engine.Containers.List())
        {
            try
            {
                await _engine.Runc.KillAsync(record.Id, "SIGKILL", all: true, CancellationToken.None);
            }
            catch (EngineException)
            {
            }

            for (var i = 0; i < 100 && await _engine.Runc.StateAsync(record.Id, CancellationToken.None) == "running"; i++)
            {
                await Task.Delay(20);
            }

            await _engine.Runc.DeleteAsync(record.Id, CancellationToken.None);
            Snapshotter.Unmount(_engine.Containers.PathsOf(record.Id).Rootfs);
        }

        await Task.Delay(100);
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
}
