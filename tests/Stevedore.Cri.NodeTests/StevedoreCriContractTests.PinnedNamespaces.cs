using System.Text.Json.Nodes;
using Grpc.Core;
using Stevedore.Cri.Streaming.PortForward;
using Stevedore.Cri.V1;
using Stevedore.Runtime;
using Stevedore.Runtime.Cri;
using Stevedore.Runtime.Native;

namespace Stevedore.Cri.NodeTests;

/// <summary>
/// Sandboxes without a pause container (every pod that does not share one PID namespace): no process,
/// pinned network / IPC / UTS namespaces that the containers join, kept until RemovePodSandbox.
/// </summary>
public sealed partial class StevedoreCriContractTests
{
    [NodeFact]
    public async Task RunPodSandbox_OwnPidNamespaces_RunsNoProcessAndItsContainersShareNetworkIpcAndHostname()
    {
        using var cri = new CriClient(fixture.SocketPath);
        var (sandboxConfig, sandboxId) = await RunSandboxAsync(cri, "pinned", NamespaceMode.Container);
        string[] pins;
        try
        {
            var status = await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId, Verbose = true });
            Assert.Equal(PodSandboxState.SandboxReady, status.Status.State);
            var ip = status.Status.Network.Ip;
            Assert.NotEmpty(ip);
            var info = JsonNode.Parse(status.Info["info"])!;
            Assert.False(info["infraContainer"]!.GetValue<bool>());
            Assert.Equal(0, info["pid"]!.GetValue<int>());
            pins = [info["netNamespacePath"]!.GetValue<string>(), info["ipcNamespacePath"]!.GetValue<string>(), info["utsNamespacePath"]!.GetValue<string>()];
            Assert.All(pins, pin => Assert.True(Stevedore.Network.Netns.NetworkNamespace.IsPinned(pin), pin + " is an nsfs mount"));
            Assert.Empty(ProcessesNaming(sandboxId));

            var ids = new List<string>();
            foreach (var name in new[] { "one", "two" })
            {
                ids.Add(await StartSleeperAsync(cri, sandboxId, sandboxConfig, name, NamespaceMode.Container));
            }

            var seen = new List<string>();
            foreach (var id in ids)
            {
                var exec = await cri.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = id, Cmd = { "sh", "-c", "for n in net ipc uts; do readlink /proc/self/ns/$n; done; hostname; ip -4 -o addr show eth0" }, Timeout = 30 });
                Assert.Equal(0, exec.ExitCode);
                seen.Add(exec.Stdout.ToStringUtf8());
            }

            Assert.Equal(seen[0], seen[1]);
            var inodes = new List<string>();
            foreach (var pin in pins)
            {
                inodes.Add((await RunAsync("stat", "-L", "-c", "%i", pin)).Trim());
            }

            Assert.StartsWith($"net:[{inodes[0]}]\nipc:[{inodes[1]}]\nuts:[{inodes[2]}]\npinned-pod\n", seen[0], StringComparison.Ordinal);
            Assert.Contains($" {ip}/", seen[0], StringComparison.Ordinal);

            // Each container its own PID namespace, as asked: one sleep each, and nothing else of the pod's.
            var ps = await cri.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = ids[0], Cmd = { "sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '" }, Timeout = 30 });
            Assert.Equal(1, ps.Stdout.ToStringUtf8().Split("sleep 3600").Length - 1);

            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });

            var stopped = (await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId })).Status;
            Assert.Equal(PodSandboxState.SandboxNotready, stopped.State);
            Assert.Equal("", stopped.Network.Ip);
            Assert.Contains((await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = new PodSandboxFilter { State = new PodSandboxStateValue { State = PodSandboxState.SandboxNotready } } })).Items, s => s.Id == sandboxId);
            Assert.All(pins, pin => Assert.True(Stevedore.Network.Netns.NetworkNamespace.IsPinned(pin), pin + " stays until the sandbox is removed"));
            var refused = await Assert.ThrowsAsync<RpcException>(() => StartSleeperAsync(cri, sandboxId, sandboxConfig, "late", NamespaceMode.Container));
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        }
        finally
        {
            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
            await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId });
        }

        Assert.All(pins, pin => Assert.False(File.Exists(pin) || Stevedore.Network.Netns.NetworkNamespace.IsPinned(pin), pin + " is gone"));
        Assert.DoesNotContain((await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items, s => s.Id == sandboxId);
        Assert.DoesNotContain(fixture.Engine.Containers.List(), r => r.Id == sandboxId);
    }

    [NodeFact]
    public async Task PodSandboxStatus_APinThatLostItsMount_IsNotReady()
    {
        // What a reboot leaves where /run is not a tmpfs: the pin's file, without the namespace mounted on it.
        using var cri = new CriClient(fixture.SocketPath);
        var (_, sandboxId) = await RunSandboxAsync(cri, "unpinned", NamespaceMode.Container);
        try
        {
            var status = await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId, Verbose = true });
            Assert.Equal(PodSandboxState.SandboxReady, status.Status.State);
            var ipc = JsonNode.Parse(status.Info["info"])!["ipcNamespacePath"]!.GetValue<string>();
            Assert.True(PinnedNamespace.HoldsNamespace(ipc));

            await RunAsync("umount", ipc);

            Assert.True(File.Exists(ipc));
            Assert.False(PinnedNamespace.HoldsNamespace(ipc));
            var after = await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId });
            Assert.Equal(PodSandboxState.SandboxNotready, after.Status.State);
        }
        finally
        {
            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
            await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId });
        }
    }

    [NodeFact]
    public async Task RunPodSandbox_ShareProcessNamespace_KeepsThePauseContainerHoldingTheSharedPidNamespace()
    {
        using var cri = new CriClient(fixture.SocketPath);
        var (sandboxConfig, sandboxId) = await RunSandboxAsync(cri, "shared-pid", NamespaceMode.Pod);
        try
        {
            var status = await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId, Verbose = true });
            var info = JsonNode.Parse(status.Info["info"])!;
            Assert.True(info["infraContainer"]!.GetValue<bool>());
            var pausePid = info["pid"]!.GetValue<int>();
            var pauseCommand = File.ReadAllText($"/proc/{pausePid}/cmdline");
            Assert.Contains(pauseCommand.Split('\0')[0], new[] { "/pause", "/usr/bin/catatonit" });
            Assert.NotEmpty(ProcessesNaming(sandboxId));
            Assert.Equal("", info["ipcNamespacePath"]!.GetValue<string>());

            var ids = new List<string>();
            foreach (var name in new[] { "one", "two" })
            {
                ids.Add(await StartSleeperAsync(cri, sandboxId, sandboxConfig, name, NamespaceMode.Pod));
            }

            // One PID namespace, held by the pause process (PID 1): each container sees both sleeps and it.
            var ps = await cri.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = ids[1], Cmd = { "sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '" }, Timeout = 30 });
            Assert.Equal(2, ps.Stdout.ToStringUtf8().Split("sleep 3600").Length - 1);
            var init = await cri.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = ids[0], Cmd = { "cat", "/proc/1/cmdline" }, Timeout = 30 });
            Assert.Equal(pauseCommand, init.Stdout.ToStringUtf8());
            var hostnames = await cri.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = ids[0], Cmd = { "hostname" }, Timeout = 30 });
            Assert.Equal("shared-pid-pod\n", hostnames.Stdout.ToStringUtf8());
        }
        finally
        {
            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
            await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId });
        }

        Assert.Empty(ProcessesNaming(sandboxId));
    }

    [NodeFact]
    public async Task RunPodSandbox_WithoutPauseContainer_ANewServerOverTheSameDataKnowsItJoinsItAndRemovesIt()
    {
        using var cri = new CriClient(fixture.SocketPath);
        var (sandboxConfig, sandboxId) = await RunSandboxAsync(cri, "readopted", NamespaceMode.Container);
        string[] pins = [];
        try
        {
            var first = await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId, Verbose = true });
            var info = JsonNode.Parse(first.Info["info"])!;
            pins = [info["netNamespacePath"]!.GetValue<string>(), info["ipcNamespacePath"]!.GetValue<string>(), info["utsNamespacePath"]!.GetValue<string>()];
            var before = await StartSleeperAsync(cri, sandboxId, sandboxConfig, "before", NamespaceMode.Container);
            var socket = Path.Combine(fixture.ScratchDir, "readopt-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
            await using (var second = await CriServer.StartAsync(new ContainerEngine(fixture.Options!), socket, fixture.Network.ServerOptions, CancellationToken.None))
            {
                using var again = new CriClient(socket);
                var status = (await again.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId })).Status;
                Assert.Equal(PodSandboxState.SandboxReady, status.State);
                Assert.Equal(first.Status.Network.Ip, status.Network.Ip);
                Assert.Equal(first.Status.CreatedAt, status.CreatedAt);
                Assert.Equal("pinned", status.Labels["test"]);
                Assert.Contains((await again.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = new PodSandboxFilter { State = new PodSandboxStateValue { State = PodSandboxState.SandboxReady } } })).Items, s => s.Id == sandboxId);

                var after = await StartSleeperAsync(again, sandboxId, sandboxConfig, "after", NamespaceMode.Container);
                var namespaces = new List<string>();
                foreach (var id in new[] { before, after })
                {
                    namespaces.Add((await again.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = id, Cmd = { "sh", "-c", "for n in net ipc uts; do readlink /proc/self/ns/$n; done; hostname" }, Timeout = 30 })).Stdout.ToStringUtf8());
                }

                Assert.Equal(namespaces[0], namespaces[1]);
                Assert.EndsWith("\nreadopted-pod\n", namespaces[1], StringComparison.Ordinal);

                await again.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
                await again.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId });
                Assert.All(pins, pin => Assert.False(File.Exists(pin), pin + " is gone"));
            }
        }
        finally
        {
            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
            await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId });
        }

        Assert.All(pins, pin => Assert.False(Stevedore.Network.Netns.NetworkNamespace.IsPinned(pin), pin + " is unmounted"));
    }

    [NodeFact]
    public async Task RunPodSandbox_ManyAtOnceWithoutPauseContainers_RemoveLeavesNoNamespaceBehind()
    {
        using var cri = new CriClient(fixture.SocketPath);
        var sandboxes = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => RunSandboxAsync(cri, "burst-" + i, NamespaceMode.Container)));
        var pins = new List<string>();
        try
        {
            foreach (var (_, id) in sandboxes)
            {
                var info = JsonNode.Parse((await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = id, Verbose = true })).Info["info"])!;
                pins.AddRange(new[] { "netNamespacePath", "ipcNamespacePath", "utsNamespacePath" }.Select(key => info[key]!.GetValue<string>()));
            }

            Assert.Equal(36, pins.Distinct().Count());
            await Task.WhenAll(sandboxes.Select(s => StartSleeperAsync(cri, s.Id, s.Config, "main", NamespaceMode.Container)));
        }
        finally
        {
            await Task.WhenAll(sandboxes.Select(async s =>
            {
                await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = s.Id });
                await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = s.Id });
            }));
        }

        Assert.All(pins, pin => Assert.False(File.Exists(pin) || Stevedore.Network.Netns.NetworkNamespace.IsPinned(pin), pin + " is gone"));
        Assert.DoesNotContain(fixture.Engine.Containers.List(), r => sandboxes.Any(s => s.Id == r.Id || r.Options.Labels.GetValueOrDefault(CriMetadata.SandboxLabel) == s.Id));
    }

    [NodeFact]
    public async Task PortForward_SandboxWithThePauseContainer_ReachesTheServerInThePod()
    {
        await using var pod = await StreamingPod.StartAsync(fixture, "forward-pause", "exec nc -ll -p 8082 -e /bin/cat", shareProcessNamespace: true);
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var url = (await pod.Cri.Runtime.PortForwardAsync(new PortForwardRequest { PodSandboxId = pod.SandboxId, Port = { 8082 } })).Url;
        await using var session = await PortForwardSession.ConnectSpdyAsync(http, new Uri(url), HttpMethod.Post, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        var echoed = "";
        for (var attempt = 0; attempt < 100 && echoed.Length == 0; attempt++)
        {
            var connection = await session.OpenAsync(8082, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            await connection.Data.WriteAsync("via pause\n"u8.ToArray());
            await connection.Data.CloseWriteAsync();
            echoed = await new StreamReader(connection.Data).ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (echoed.Length == 0)
            {
                await Task.Delay(100);
            }
        }

        Assert.Equal("via pause\n", echoed);
    }

    [NodeFact]
    public async Task RunPodSandbox_CniOffWithoutPauseContainer_ContainersGetLoopbackUp()
    {
        var socket = Path.Combine(fixture.ScratchDir, "nocni-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        await using var server = await CriServer.StartAsync(new ContainerEngine(fixture.Options!), socket, CriNetworkOptions.Disabled, CancellationToken.None);
        using var cri = new CriClient(socket);
        var (sandboxConfig, sandboxId) = await RunSandboxAsync(cri, "loopback", NamespaceMode.Container);
        try
        {
            var id = await StartSleeperAsync(cri, sandboxId, sandboxConfig, "lo", NamespaceMode.Container);
            var exec = await cri.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = id, Cmd = { "sh", "-c", "ip -o link show lo; ip -o -4 addr show lo" }, Timeout = 30 });

            Assert.Contains("UP", exec.Stdout.ToStringUtf8().Split('\n')[0].Split('<', '>')[1].Split(','));
            Assert.Contains("127.0.0.1/8", exec.Stdout.ToStringUtf8(), StringComparison.Ordinal);
        }
        finally
        {
            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
            await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId });
        }
    }

    private async Task<(PodSandboxConfig Config, string Id)> RunSandboxAsync(CriClient cri, string name, NamespaceMode pid)
    {
        var uid = Guid.NewGuid().ToString();
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = name, Namespace = "pinned", Uid = uid },
            Hostname = name + "-pod",
            LogDirectory = Path.Combine(fixture.ScratchDir, "pods", uid),
            Labels = { ["test"] = "pinned" },
            // What the kubelet sends: CONTAINER, or POD for shareProcessNamespace.
            Linux = new LinuxPodSandboxConfig { SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = new NamespaceOption { Pid = pid } } },
        };
        return (config, (await cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config })).PodSandboxId);
    }

    private static async Task<string> StartSleeperAsync(CriClient cri, string sandboxId, PodSandboxConfig sandboxConfig, string name, NamespaceMode pid)
    {
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name },
            Image = new ImageSpec { Image = Busybox },
            Command = { "sleep", "3600" },
            LogPath = name + ".log",
            Linux = new LinuxContainerConfig { SecurityContext = new LinuxContainerSecurityContext { NamespaceOptions = new NamespaceOption { Pid = pid } } },
        };
        var id = (await cri.Runtime.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = sandboxId, Config = config, SandboxConfig = sandboxConfig })).ContainerId;
        await cri.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id });
        return id;
    }

    /// <summary>Processes whose command line names the ID: a sandbox's <c>runc run</c>, shim or pause process would.</summary>
    private static List<int> ProcessesNaming(string id)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(id, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // Ended meanwhile.
            }
        }

        return found;
    }
}
