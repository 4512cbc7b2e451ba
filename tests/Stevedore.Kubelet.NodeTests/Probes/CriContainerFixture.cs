using System.Net.Sockets;
using Grpc.Net.Client;
using Stevedore.Cri.NodeTests;
using Stevedore.Cri.V1;
using Stevedore.Runtime;
using Stevedore.Runtime.Cri;
using Stevedore.Runtime.Snapshots;

namespace Stevedore.Kubelet.NodeTests.Probes;

/// <summary>
/// The engine's CRI server in this process over a throwaway engine (temp data dir, runc root and cgroup
/// parent), with one pod sandbox and one busybox container sleeping in it for exec probes and hooks.
/// Disposal kills and deletes every container, unmounts, removes the cgroups and the directory, even
/// after a failed test.
/// </summary>
public sealed class CriContainerFixture : IAsyncLifetime
{
    private static readonly string[] CgroupControllers = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd", "unified", ""];
    private readonly string _root = Directory.CreateTempSubdirectory("stevedore-probes-test-").FullName;
    private ContainerEngine? _engine;
    private CriServer? _server;
    private GrpcChannel? _channel;

    public string SandboxId { get; private set; } = "";

    public string ContainerId { get; private set; } = "";

    public RuntimeService.RuntimeServiceClient Runtime { get; private set; } = null!;

    private string SocketPath => Path.Combine(_root, "cri.sock");

    private string CgroupParent => "/stevedore-probes-test-" + Path.GetFileName(_root).Split('-')[^1];

    public async Task InitializeAsync()
    {
        if (Environment.UserName != "root")
        {
            return;
        }

        _engine = new ContainerEngine(new EngineOptions
        {
            DataDir = Path.Combine(_root, "data"),
            RuntimeRoot = Path.Combine(_root, "runc"),
            CgroupParent = CgroupParent,
            RegistryConfigPath = null,
        });
        foreach (var tar in new[] { TestImages.PauseTar, TestImages.BusyboxTar })
        {
            await _engine.ImportAsync(tar, null, CancellationToken.None);
        }

        _server = await CriServer.StartAsync(_engine, SocketPath, CancellationToken.None);
        _channel = Connect(SocketPath);
        Runtime = new RuntimeService.RuntimeServiceClient(_channel);

        var uid = Guid.NewGuid().ToString();
        var sandboxConfig = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = "probes", Namespace = "default", Uid = uid },
            Hostname = "probes",
            LogDirectory = Path.Combine(_root, "pods", uid),
        };
        SandboxId = (await Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = sandboxConfig })).PodSandboxId;
        var containerConfig = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = "main" },
            Image = new ImageSpec { Image = "docker.io/library/busybox:latest" },
            Command = { "sleep", "3600" },
            LogPath = "main/0.log",
        };
        ContainerId = (await Runtime.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = SandboxId, Config = containerConfig, SandboxConfig = sandboxConfig })).ContainerId;
        await Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = ContainerId });
    }

    /// <summary>A gRPC channel to a CRI unix socket.</summary>
    public static GrpcChannel Connect(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler });
    }

    /// <summary>Runs a shell command in the fixture's container and returns its stdout (for checks, not under test).</summary>
    public async Task<string> ShellAsync(string script)
    {
        var response = await Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = ContainerId, Cmd = { "sh", "-c", script }, Timeout = 30 });
        return response.Stdout.ToStringUtf8();
    }

    public async Task DisposeAsync()
    {
        if (_channel is not null && SandboxId != "")
        {
            try
            {
                await Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = SandboxId });
                await Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = SandboxId });
            }
            catch (Grpc.Core.RpcException)
            {
                // The forced cleanup below still removes everything.
            }
        }

        _channel?.Dispose();
        if (_server is not null)
        {
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

        foreach (var mount in File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(_root, StringComparison.Ordinal)))
        {
            Snapshotter.Unmount(mount);
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
