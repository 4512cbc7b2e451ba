using System.Text;
using Grpc.Core;
using Stevedore.Cri.V1;

namespace Stevedore.Cri.NodeTests;

/// <summary>
/// One CRI contract, run against every runtime that derives from it (Stevedore and containerd):
/// what kubelet relies on, observed only through the CRI socket and the log files it names.
/// </summary>
public abstract partial class CriContractTests(ICriFixture fixture)
{
    private const string Busybox = "docker.io/library/busybox:latest";

    [NodeFact]
    public async Task Version_Always_ReportsTheV1Api()
    {
        using var cri = new CriClient(fixture.SocketPath);

        var version = await cri.Runtime.VersionAsync(new VersionRequest { Version = "v1" });

        Assert.Equal("v1", version.RuntimeApiVersion);
        Assert.NotEmpty(version.RuntimeName);
        var status = await cri.Runtime.StatusAsync(new StatusRequest());
        Assert.Contains(status.Status.Conditions, c => c.Type == "RuntimeReady" && c.Status);
    }

    [NodeFact]
    public async Task PodLifecycle_SandboxAndContainer_RunExecLogStopRemove()
    {
        using var cri = new CriClient(fixture.SocketPath);
        var uid = Guid.NewGuid().ToString();
        var logDir = Path.Combine(fixture.ScratchDir, "pods", uid);
        var sandboxConfig = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = "contract", Namespace = "default", Uid = uid },
            Hostname = "contract-pod",
            LogDirectory = logDir,
            Labels = { ["app"] = "contract" },
            Annotations = { ["note"] = "kept verbatim" },
        };

        var sandboxId = (await cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = sandboxConfig })).PodSandboxId;
        try
        {
            var sandbox = (await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId })).Status;
            Assert.Equal(PodSandboxState.SandboxReady, sandbox.State);
            Assert.Equal("contract", sandbox.Metadata.Name);
            Assert.Equal("contract", sandbox.Labels["app"]);
            Assert.Equal("kept verbatim", sandbox.Annotations["note"]);
            Assert.True(sandbox.CreatedAt > 0);
            var listed = await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = new PodSandboxFilter { LabelSelector = { ["app"] = "contract" } } });
            Assert.Contains(listed.Items, s => s.Id == sandboxId);

            var containerConfig = new ContainerConfig
            {
                Metadata = new ContainerMetadata { Name = "main" },
                Image = new ImageSpec { Image = Busybox },
                Command = { "sh", "-c" },
                Args = { "echo hello from $GREETING; echo to stderr >&2; exec sleep 3600" },
                Envs = { new KeyValue { Key = "GREETING", Value = "cri" } },
                LogPath = "main/0.log",
                Labels = { ["role"] = "main" },
            };
            var containerId = (await cri.Runtime.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = sandboxId, Config = containerConfig, SandboxConfig = sandboxConfig })).ContainerId;
            var created = (await cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = containerId })).Status;
            Assert.Equal(ContainerState.ContainerCreated, created.State);

            await cri.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = containerId });
            var running = (await cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = containerId })).Status;
            Assert.Equal(ContainerState.ContainerRunning, running.State);
            Assert.True(running.StartedAt > 0);
            Assert.Equal("main", running.Metadata.Name);
            Assert.Equal(Path.Combine(logDir, "main/0.log"), running.LogPath);

            // The log, in the CRI format: "<RFC3339Nano> stdout|stderr F|P <content>".
            var lines = await WaitForLogAsync(Path.Combine(logDir, "main/0.log"), 2);
            Assert.Contains(lines, l => l.Split(' ', 4) is [var time, "stdout", "F", "hello from cri"] && DateTimeOffset.TryParse(time, out _));
            Assert.Contains(lines, l => l.Split(' ', 4) is [_, "stderr", "F", "to stderr"]);

            var exec = await cri.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = containerId, Cmd = { "sh", "-c", "echo out; echo err >&2; hostname; exit 3" }, Timeout = 30 });
            Assert.Equal(3, exec.ExitCode);
            Assert.Equal("out\ncontract-pod\n", exec.Stdout.ToStringUtf8());
            Assert.Equal("err\n", exec.Stderr.ToStringUtf8());

            // A command that outlives its timeout fails the call and does not keep running in the container.
            await Assert.ThrowsAsync<RpcException>(() => cri.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = containerId, Cmd = { "sleep", "7777" }, Timeout = 1 }).ResponseAsync);
            var leftover = await cri.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = containerId, Cmd = { "sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '" }, Timeout = 30 });
            Assert.Contains("sleep 3600", leftover.Stdout.ToStringUtf8(), StringComparison.Ordinal);
            Assert.DoesNotContain("sleep 7777", leftover.Stdout.ToStringUtf8(), StringComparison.Ordinal);

            var inSandbox = await cri.Runtime.ListContainersAsync(new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = sandboxId } });
            var only = Assert.Single(inSandbox.Containers);
            Assert.Equal(containerId, only.Id);
            Assert.Equal("main", only.Labels["role"]);
            var exitedOnly = await cri.Runtime.ListContainersAsync(new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = sandboxId, State = new ContainerStateValue { State = ContainerState.ContainerExited } } });
            Assert.Empty(exitedOnly.Containers);

            // No namespace options means the pod's PID namespace (the proto default), so sleep is not PID 1 and SIGTERM ends it.
            await cri.Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = containerId, Timeout = 30 });
            var exited = (await cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = containerId })).Status;
            Assert.Equal(ContainerState.ContainerExited, exited.State);
            Assert.Equal(143, exited.ExitCode);
            Assert.True(exited.FinishedAt >= exited.StartedAt);
            Assert.Equal("Error", exited.Reason);

            await cri.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = containerId });
            var gone = await Assert.ThrowsAsync<RpcException>(() => cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = containerId }).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, gone.StatusCode);
            await cri.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = containerId });

            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
            var stopped = (await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId })).Status;
            Assert.Equal(PodSandboxState.SandboxNotready, stopped.State);
        }
        finally
        {
            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
            await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId });
        }

        var removed = await Assert.ThrowsAsync<RpcException>(() => cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, removed.StatusCode);
        await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId });
    }

    [NodeFact]
    public async Task Sandbox_TwoContainers_ShareTheSandboxNamespaces()
    {
        using var cri = new CriClient(fixture.SocketPath);
        var uid = Guid.NewGuid().ToString();
        var sandboxConfig = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = "shared", Namespace = "default", Uid = uid },
            Hostname = "shared-pod",
            LogDirectory = Path.Combine(fixture.ScratchDir, "pods", uid),
        };
        var sandboxId = (await cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = sandboxConfig })).PodSandboxId;
        try
        {
            var ids = new List<string>();
            foreach (var name in new[] { "one", "two" })
            {
                var config = new ContainerConfig
                {
                    Metadata = new ContainerMetadata { Name = name },
                    Image = new ImageSpec { Image = Busybox },
                    Command = { "sleep", "3600" },
                    LogPath = name + ".log",
                };
                var id = (await cri.Runtime.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = sandboxId, Config = config, SandboxConfig = sandboxConfig })).ContainerId;
                await cri.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id });
                ids.Add(id);
            }

            var seen = new List<string>();
            foreach (var id in ids)
            {
                var exec = await cri.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = id, Cmd = { "sh", "-c", "for n in net ipc; do readlink /proc/self/ns/$n; done; hostname" }, Timeout = 30 });
                Assert.Equal(0, exec.ExitCode);
                seen.Add(exec.Stdout.ToStringUtf8());
            }

            Assert.Equal(seen[0], seen[1]);
            Assert.Matches("^net:\\[\\d+\\]\nipc:\\[\\d+\\]\nshared-pod\n$", seen[0]);

            // The default (POD) PID namespace: each container sees the other's sleep.
            var ps = await cri.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = ids[0], Cmd = { "sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '" }, Timeout = 30 });
            Assert.Equal(2, ps.Stdout.ToStringUtf8().Split("sleep 3600").Length - 1);

            var stats = await cri.Runtime.ContainerStatsAsync(new ContainerStatsRequest { ContainerId = ids[0] });
            Assert.Equal(ids[0], stats.Stats.Attributes.Id);
            Assert.Equal("one", stats.Stats.Attributes.Metadata.Name);
        }
        finally
        {
            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
            await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId });
        }

        Assert.Empty((await cri.Runtime.ListContainersAsync(new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = sandboxId } })).Containers);
    }

    [NodeFact]
    public async Task Sandboxes_TwoPods_GetAddressesAndReachEachOtherByIp()
    {
        using var cri = new CriClient(fixture.SocketPath);
        var pods = new List<(string SandboxId, string ContainerId, string Ip)>();
        try
        {
            foreach (var name in new[] { "net-a", "net-b" })
            {
                var uid = Guid.NewGuid().ToString();
                var sandboxConfig = new PodSandboxConfig
                {
                    Metadata = new PodSandboxMetadata { Name = name, Namespace = "default", Uid = uid },
                    Hostname = name,
                    LogDirectory = Path.Combine(fixture.ScratchDir, "pods", uid),
                };
                var sandboxId = (await cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = sandboxConfig })).PodSandboxId;
                pods.Add((sandboxId, "", ""));
                var config = new ContainerConfig
                {
                    Metadata = new ContainerMetadata { Name = "web" },
                    Image = new ImageSpec { Image = Busybox },
                    Command = { "sh", "-c" },
                    Args = { $"mkdir -p /www && echo hello from {name} > /www/index.html && exec httpd -f -p 8080 -h /www" },
                    LogPath = "web.log",
                };
                var containerId = (await cri.Runtime.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = sandboxId, Config = config, SandboxConfig = sandboxConfig })).ContainerId;
                await cri.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = containerId });
                var status = (await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId })).Status;
                Assert.True(System.Net.IPAddress.TryParse(status.Network.Ip, out _), $"sandbox {name} reports no IP (\"{status.Network.Ip}\")");
                pods[^1] = (sandboxId, containerId, status.Network.Ip);
            }

            Assert.NotEqual(pods[0].Ip, pods[1].Ip);
            foreach (var (from, to, name) in new[] { (pods[0], pods[1], "net-b"), (pods[1], pods[0], "net-a") })
            {
                var inside = await cri.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = from.ContainerId, Cmd = { "ip", "-4", "-o", "addr", "show", "eth0" }, Timeout = 30 });
                Assert.Contains(" " + from.Ip + "/", inside.Stdout.ToStringUtf8(), StringComparison.Ordinal);

                // httpd may still be starting: a few tries. (No wget -T: it crashes Debian's static busybox.)
                ExecSyncResponse fetch = null!;
                for (var attempt = 0; attempt < 20; attempt++)
                {
                    fetch = await cri.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = from.ContainerId, Cmd = { "wget", "-q", "-O", "-", $"http://{to.Ip}:8080/index.html" }, Timeout = 30 });
                    if (fetch.ExitCode == 0)
                    {
                        break;
                    }

                    await Task.Delay(250);
                }

                Assert.True(fetch.ExitCode == 0, $"wget http://{to.Ip}:8080 from {from.Ip} failed ({fetch.ExitCode}): {fetch.Stderr.ToStringUtf8()}");
                Assert.Equal($"hello from {name}\n", fetch.Stdout.ToStringUtf8());
            }
        }
        finally
        {
            foreach (var pod in pods)
            {
                await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod.SandboxId });
                await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod.SandboxId });
            }
        }
    }

    [NodeFact]
    public async Task PullImage_FromLoopbackRegistry_ImageIsThereUntilRemoved()
    {
        using var cri = new CriClient(fixture.SocketPath);
        var spec = new ImageSpec { Image = fixture.PullableImage };
        Assert.Null((await cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = spec })).Image);

        var pulled = await cri.Images.PullImageAsync(new PullImageRequest { Image = spec });

        var status = await cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = spec });
        Assert.NotNull(status.Image);
        Assert.Equal(pulled.ImageRef, status.Image.Id);
        Assert.Contains(fixture.PullableImage, status.Image.RepoTags);
        Assert.Contains(status.Image.RepoDigests, d => d.StartsWith(fixture.PullableImage[..fixture.PullableImage.LastIndexOf(':')] + "@sha256:", StringComparison.Ordinal));

        await cri.Images.RemoveImageAsync(new RemoveImageRequest { Image = new ImageSpec { Image = pulled.ImageRef } });
        Assert.Null((await cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = spec })).Image);
    }

    [NodeFact]
    public async Task Images_ListStatusRemove_SeeImportedImagesAndForgetRemovedOnes()
    {
        using var cri = new CriClient(fixture.SocketPath);

        var all = await cri.Images.ListImagesAsync(new ListImagesRequest());
        var busybox = Assert.Single(all.Images, i => i.RepoTags.Contains(Busybox));
        Assert.StartsWith("sha256:", busybox.Id, StringComparison.Ordinal);
        Assert.True(busybox.Size > 0);
        Assert.Contains(all.Images, i => i.RepoTags.Contains("registry.k8s.io/pause:3.9"));

        var status = await cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = "busybox" } });
        Assert.Equal(busybox.Id, status.Image.Id);
        var byId = await cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = busybox.Id } });
        Assert.Equal(busybox.Id, byId.Image.Id);
        var unknown = await cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = "example.test/never-there:1" } });
        Assert.Null(unknown.Image);

        var removable = await cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = TestImages.RemovableName } });
        Assert.NotNull(removable.Image);
        await cri.Images.RemoveImageAsync(new RemoveImageRequest { Image = new ImageSpec { Image = TestImages.RemovableName } });
        var after = await cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = TestImages.RemovableName } });
        Assert.Null(after.Image);
        Assert.DoesNotContain((await cri.Images.ListImagesAsync(new ListImagesRequest())).Images, i => i.Id == removable.Image.Id);
        await cri.Images.RemoveImageAsync(new RemoveImageRequest { Image = new ImageSpec { Image = TestImages.RemovableName } });

        var fs = await cri.Images.ImageFsInfoAsync(new ImageFsInfoRequest());
        // Usage itself may lag (containerd samples it every few seconds), the filesystem may not.
        Assert.Contains(fs.ImageFilesystems, f => f.FsId.Mountpoint.Length > 0 && f.Timestamp > 0);
    }

    private static async Task<IReadOnlyList<string>> WaitForLogAsync(string path, int count)
    {
        for (var i = 0; ; i++)
        {
            var lines = File.Exists(path) ? (await File.ReadAllTextAsync(path, Encoding.UTF8)).Split('\n', StringSplitOptions.RemoveEmptyEntries) : [];
            if (lines.Length >= count || i >= 300)
            {
                return lines;
            }

            await Task.Delay(50);
        }
    }
}
