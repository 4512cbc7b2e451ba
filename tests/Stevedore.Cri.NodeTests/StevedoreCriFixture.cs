using Stevedore.Cri.V1;
using Stevedore.Runtime;
using Stevedore.Runtime.Cri;
using Stevedore.Runtime.Snapshots;

namespace Stevedore.Cri.NodeTests;

/// <summary>
/// Stevedore's CRI server in this process over a throwaway engine (data dir, runc root, cgroup
/// parent) and a pod network of its own (<see cref="CriTestNetwork"/>), with the test images
/// imported. Disposal removes every sandbox through CRI (CNI DEL, namespaces), then kills and deletes
/// whatever is left, unmounts, removes the cgroups, the network and the directory, even after a failed test.
/// </summary>
public sealed class StevedoreCriFixture : ICriFixture, IAsyncLifetime
{
    private static readonly string[] CgroupControllers = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd", "unified", ""];
    private readonly string _root = Directory.CreateTempSubdirectory("stevedore-cri-test-").FullName;
    private ContainerEngine? _engine;
    private CriServer? _server;
    private LocalRegistry? _registry;
    private CriTestNetwork? _network;

    public string SocketPath => Path.Combine(_root, "cri.sock");
    public string ScratchDir => Path.Combine(_root, "scratch");
    /// <summary>The engine's options, to open a second engine over the same data (as after a restart).</summary>
    public EngineOptions? Options { get; private set; }
    /// <summary>The engine the server runs on.</summary>
    public ContainerEngine Engine => _engine ?? throw new InvalidOperationException("the fixture is not initialized");
    /// <summary>The pod network sandboxes are attached to.</summary>
    public CriTestNetwork Network => _network ?? throw new InvalidOperationException("the fixture is not initialized");

    public string PullableImage => _registry?.PullableImage ?? throw new InvalidOperationException("the registry is not running");
    private string CgroupParent => "/stevedore-cri-test-" + Path.GetFileName(_root).Split('-')[^1];

    public async Task InitializeAsync()
    {
        if (Environment.UserName != "root")
        {
            return;
        }

        Directory.CreateDirectory(ScratchDir);
        _registry = await LocalRegistry.StartAsync();
        _engine = new ContainerEngine(Options = new EngineOptions
        {
            DataDir = Path.Combine(_root, "data"),
            RuntimeRoot = Path.Combine(_root, "runc"),
            CgroupParent = CgroupParent,
            RegistryConfigPath = null,
        });
        foreach (var tar in new[] { TestImages.PauseTar, TestImages.BusyboxTar, TestImages.RemovableTar })
        {
            await _engine.ImportAsync(tar, null, CancellationToken.None);
        }

        _network = await CriTestNetwork.CreateAsync(Path.Combine(_root, "cni"));
        _server = await CriServer.StartAsync(_engine, SocketPath, _network.ServerOptions, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

        if (_server is not null)
        {
            try
            {
                using var client = new CriClient(SocketPath);
                foreach (var sandbox in (await client.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items)
                {
                    await client.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandbox.Id });
                    await client.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandbox.Id });
                }
            }
            catch (Grpc.Core.RpcException)
            {
                // Whatever is left is removed by hand below.
            }

            await _server.DisposeAsync();
        }

        if (_engine is not null)
        {
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
                if (CriMetadata.From(record.Options.Labels) is { } sandbox)
                {
                    Stevedore.Network.Netns.NetworkNamespace.Remove(sandbox.NetnsPath);
                    Stevedore.Runtime.Native.PinnedNamespace.Remove(sandbox.IpcPath);
                    Stevedore.Runtime.Native.PinnedNamespace.Remove(sandbox.UtsPath);
                }
            }

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
        }

        foreach (var mount in File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(_root, StringComparison.Ordinal)).Reverse())
        {
            Snapshotter.Unmount(mount);
        }

        if (_network is not null)
        {
            await _network.DisposeAsync();
        }

        Snapshotter.RemoveTree(_root);
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
