using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Grpc.Core;
using Stevedore.Cri.Streaming.PortForward;
using Stevedore.Cri.Streaming.RemoteCommand;
using Stevedore.Cri.V1;
using Stevedore.Network.Cni;
using Stevedore.Runtime;
using Stevedore.Runtime.Cri;

namespace Stevedore.Cri.NodeTests;

/// <summary>The CRI contract against Stevedore's own CRI server, plus what only Stevedore promises.</summary>
public sealed partial class StevedoreCriContractTests(StevedoreCriFixture fixture) : CriContractTests(fixture), IClassFixture<StevedoreCriFixture>
{
    private const string Busybox = "docker.io/library/busybox:latest";

    [NodeFact]
    public async Task RunPodSandbox_ThenNewServerOverTheSameData_KnowsTheSandboxAndTearsDownItsNetwork()
    {
        using var cri = new CriClient(fixture.SocketPath);
        var uid = Guid.NewGuid().ToString();
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = "restart", Namespace = "ns1", Uid = uid, Attempt = 3 },
            Labels = { ["kept"] = "yes" },
        };
        var sandboxId = (await cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config })).PodSandboxId;
        try
        {
            var ip = (await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId })).Status.Network.Ip;
            Assert.True(File.Exists(Path.Combine(fixture.Network.AllocationDir, ip)));
            var socket = Path.Combine(fixture.ScratchDir, "second.sock");
            await using (var second = await CriServer.StartAsync(new ContainerEngine(fixture.Options!), socket, fixture.Network.ServerOptions, CancellationToken.None))
            {
                using var again = new CriClient(socket);
                var status = (await again.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId })).Status;

                Assert.Equal(PodSandboxState.SandboxReady, status.State);
                Assert.Equal(("restart", "ns1", uid, 3u), (status.Metadata.Name, status.Metadata.Namespace, status.Metadata.Uid, status.Metadata.Attempt));
                Assert.Equal("yes", status.Labels["kept"]);
                Assert.Equal(ip, status.Network.Ip);

                // The restarted server detaches what the first one attached.
                await again.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
                Assert.False(File.Exists(Path.Combine(fixture.Network.AllocationDir, ip)));
                Assert.Equal("", (await again.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId })).Status.Network.Ip);
            }

            Assert.False(File.Exists(socket));
        }
        finally
        {
            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
            await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId });
        }
    }

    [NodeFact]
    public async Task RunPodSandbox_PortMappingAndDnsConfig_HostPortReachesThePod_StopAndRemoveReleaseEverything()
    {
        using var cri = new CriClient(fixture.SocketPath);
        var hostPort = FreePort();
        var uid = Guid.NewGuid().ToString();
        var sandboxConfig = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = "mapped", Namespace = "ns1", Uid = uid },
            Hostname = "mapped",
            LogDirectory = Path.Combine(fixture.ScratchDir, "pods", uid),
            PortMappings = { new PortMapping { Protocol = Protocol.Tcp, ContainerPort = 8080, HostPort = hostPort }, new PortMapping { ContainerPort = 9090 } },
            DnsConfig = new DNSConfig { Servers = { "10.43.0.10" }, Searches = { "ns1.svc.cluster.local", "svc.cluster.local", "cluster.local" }, Options = { "ndots:5" } },
        };
        var sandboxId = (await cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = sandboxConfig })).PodSandboxId;
        string netns;
        string ip;
        try
        {
            var status = await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId, Verbose = true });
            ip = status.Status.Network.Ip;
            Assert.True(fixture.Network.Subnet.Contains(IPAddress.Parse(ip)), $"{ip} is outside {fixture.Network.Subnet}");
            Assert.Empty(status.Status.Network.AdditionalIps);
            netns = JsonNode.Parse(status.Info["info"])!["netNamespacePath"]!.GetValue<string>();
            Assert.StartsWith("/run/netns/cni-", netns, StringComparison.Ordinal);
            Assert.True(Stevedore.Network.Netns.NetworkNamespace.IsPinned(netns));

            var config = new ContainerConfig
            {
                Metadata = new ContainerMetadata { Name = "web" },
                Image = new ImageSpec { Image = Busybox },
                Command = { "sh", "-c" },
                Args = { "mkdir -p /www && echo hello via hostPort > /www/index.html && exec httpd -f -p 8080 -h /www" },
                LogPath = "web.log",
            };
            var containerId = (await cri.Runtime.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = sandboxId, Config = config, SandboxConfig = sandboxConfig })).ContainerId;
            await cri.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = containerId });

            var resolv = await cri.Runtime.ExecSyncAsync(new ExecSyncRequest { ContainerId = containerId, Cmd = { "cat", "/etc/resolv.conf" }, Timeout = 30 });
            Assert.Equal("search ns1.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.43.0.10\noptions ndots:5\n", resolv.Stdout.ToStringUtf8());

            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
            string? body = null;
            for (var attempt = 0; attempt < 40 && body is null; attempt++)
            {
                try
                {
                    body = await http.GetStringAsync($"http://127.0.0.1:{hostPort}/index.html");
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(250);
                }
            }

            Assert.Equal("hello via hostPort\n", body);
            Assert.Contains($"id: \\\"{sandboxId}\\\"", await NatRulesAsync(), StringComparison.Ordinal);

            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });

            Assert.Equal("", (await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId })).Status.Network.Ip);
            Assert.DoesNotContain(sandboxId, await NatRulesAsync(), StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(fixture.Network.AllocationDir, ip)), "the address is released");
            Assert.True(File.Exists(netns), "the namespace stays until the sandbox is removed");
        }
        finally
        {
            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
            await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId });
        }

        Assert.False(File.Exists(netns));
        Assert.False(Stevedore.Network.Netns.NetworkNamespace.IsPinned(netns));
    }

    [NodeFact]
    public async Task Status_NoNetworkConfigured_NetworkNotReady_PodNetworkSandboxesRefused_HostNetworkOnesRun()
    {
        var confDir = Path.Combine(fixture.ScratchDir, "empty-net.d-" + Guid.NewGuid().ToString("N")[..8]);
        var socket = Path.Combine(fixture.ScratchDir, "no-network.sock");
        await using var server = await CriServer.StartAsync(new ContainerEngine(fixture.Options!), socket, new CriNetworkOptions { ConfDir = confDir }, CancellationToken.None);
        using var cri = new CriClient(socket);

        var condition = (await cri.Runtime.StatusAsync(new StatusRequest())).Status.Conditions.Single(c => c.Type == "NetworkReady");
        Assert.False(condition.Status);
        Assert.Equal("NetworkPluginNotReady", condition.Reason);
        Assert.Contains("cni config uninitialized", condition.Message, StringComparison.Ordinal);
        await cri.Runtime.UpdateRuntimeConfigAsync(new UpdateRuntimeConfigRequest { RuntimeConfig = new RuntimeConfig { NetworkConfig = new NetworkConfig { PodCidr = "10.42.0.0/24" } } });

        var label = Guid.NewGuid().ToString("N");
        var refused = await Assert.ThrowsAsync<RpcException>(() => cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest
        {
            Config = new PodSandboxConfig { Metadata = new PodSandboxMetadata { Name = "refused", Namespace = "ns1", Uid = Guid.NewGuid().ToString() }, Labels = { ["test"] = label } },
        }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("cni config uninitialized", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = new PodSandboxFilter { LabelSelector = { ["test"] = label } } })).Items);

        var hostNetwork = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = "host-net", Namespace = "ns1", Uid = Guid.NewGuid().ToString() },
            Linux = new LinuxPodSandboxConfig { SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = new NamespaceOption { Network = NamespaceMode.Node } } },
        };
        var sandboxId = (await cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = hostNetwork })).PodSandboxId;
        try
        {
            var status = (await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId })).Status;
            Assert.Equal(PodSandboxState.SandboxReady, status.State);
            Assert.Equal("", status.Network.Ip);
        }
        finally
        {
            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
            await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId });
        }

        // The agent writes its conflist: the network becomes ready without a restart.
        ConflistBuilder.Write(confDir, fixture.Network.Conflist);
        Assert.True((await cri.Runtime.StatusAsync(new StatusRequest())).Status.Conditions.Single(c => c.Type == "NetworkReady").Status);
    }

    [NodeFact]
    public async Task RunPodSandbox_PluginFails_FailsWithThePluginsMessageAndLeavesNothing()
    {
        var dir = Path.Combine(fixture.ScratchDir, "broken-" + Guid.NewGuid().ToString("N")[..8]);
        var bridge = "stvb" + Guid.NewGuid().ToString("N")[..11];
        var conflist = (JsonObject)JsonNode.Parse(ConflistBuilder.Render(new ConflistOptions
        {
            NetworkName = "broken-" + bridge,
            BridgeName = bridge,
            PodCidrs = ["10.42.0.0/24"],
            IpamDataDir = Path.Combine(dir, "ipam"),
        }))!;
        conflist["plugins"]![0]!["ipam"]!["ranges"]![0]![0]!["subnet"] = "10.0.0.0/33";
        Directory.CreateDirectory(Path.Combine(dir, "net.d"));
        await File.WriteAllTextAsync(Path.Combine(dir, "net.d", "10-broken.conflist"), conflist.ToJsonString());
        var netnsDir = Path.Combine(dir, "netns");
        var socket = Path.Combine(fixture.ScratchDir, "broken.sock");
        var engine = new ContainerEngine(fixture.Options!);
        var containersBefore = engine.Containers.List().Count;
        try
        {
            await using var server = await CriServer.StartAsync(engine, socket, new CriNetworkOptions { ConfDir = Path.Combine(dir, "net.d"), NetnsDir = netnsDir }, CancellationToken.None);
            using var cri = new CriClient(socket);
            Assert.True((await cri.Runtime.StatusAsync(new StatusRequest())).Status.Conditions.Single(c => c.Type == "NetworkReady").Status);

            var error = await Assert.ThrowsAsync<RpcException>(() => cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest
            {
                Config = new PodSandboxConfig { Metadata = new PodSandboxMetadata { Name = "broken", Namespace = "ns1", Uid = Guid.NewGuid().ToString() } },
            }).ResponseAsync);

            Assert.Contains("failed to set up network for sandbox", error.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("CNI plugin bridge failed on ADD", error.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("invalid CIDR address: 10.0.0.0/33", error.Status.Detail, StringComparison.Ordinal);
            Assert.Equal(containersBefore, engine.Containers.List().Count);
            Assert.Empty(Directory.GetFiles(netnsDir));
            Assert.Empty(await RunAsync("/usr/sbin/ip", "-o", "link", "show", "master", bridge));
        }
        finally
        {
            if (Directory.Exists("/sys/class/net/" + bridge))
            {
                await RunAsync("/usr/sbin/ip", "link", "delete", bridge);
            }

            Stevedore.Runtime.Snapshots.Snapshotter.Unmount(netnsDir);
        }
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static Task<string> NatRulesAsync() => RunAsync("/usr/sbin/iptables", "-t", "nat", "-S");

    private static async Task<string> RunAsync(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return await output;
    }

    [NodeFact]
    public async Task Exec_OverWebSocketV5_CloseSignalEndsTheCommandsInput()
    {
        await using var pod = await StreamingPod.StartAsync(fixture, "exec-v5", "exec sleep 3600");
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var url = (await pod.Cri.Runtime.ExecAsync(new ExecRequest { ContainerId = pod.ContainerId, Cmd = { "sh", "-c", "wc -c; exit 4" }, Stdin = true, Stdout = true, Stderr = true })).Url;
        var stdout = new MemoryStream();

        var status = await RemoteCommandClient.RunWebSocketAsync(http, new Uri(url), new RemoteCommandOptions(true, true, true, false),
            new MemoryStream(new byte[123_456]), stdout, Stream.Null, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(4, status.ExitCode);
        Assert.Equal("123456", System.Text.Encoding.ASCII.GetString(stdout.ToArray()).Trim());
    }

    [NodeFact]
    public async Task PortForward_TunnelledInAWebSocket_CarriesBytesBothWays()
    {
        await using var pod = await StreamingPod.StartAsync(fixture, "forward-ws", "exec nc -ll -p 8081 -e /bin/cat");
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var url = (await pod.Cri.Runtime.PortForwardAsync(new PortForwardRequest { PodSandboxId = pod.SandboxId, Port = { 8081 } })).Url;
        await using var session = await PortForwardSession.ConnectTunnelAsync(http, new Uri(url), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        var echoed = "";
        for (var attempt = 0; attempt < 100 && echoed.Length == 0; attempt++)
        {
            var connection = await session.OpenAsync(8081, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            await connection.Data.WriteAsync("through the tunnel\n"u8.ToArray());
            await connection.Data.CloseWriteAsync();
            echoed = await new StreamReader(connection.Data).ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (echoed.Length == 0)
            {
                await Task.Delay(100);
            }
        }

        Assert.Equal("through the tunnel\n", echoed);
    }

    [NodeFact]
    public async Task StreamingServer_GarbageInsteadOfSpdyFrames_DropsThatConnectionAndKeepsServing()
    {
        await using var pod = await StreamingPod.StartAsync(fixture, "garbage", "exec sleep 3600");
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var url = (await pod.Cri.Runtime.ExecAsync(new ExecRequest { ContainerId = pod.ContainerId, Cmd = { "true" }, Stdout = true })).Url;
        var (connection, protocol) = await Stevedore.Cri.Streaming.HttpUpgrade.SpdyAsync(http, new Uri(url), HttpMethod.Post, [StreamProtocols.V4], CancellationToken.None);
        Assert.Equal(StreamProtocols.V4, protocol);

        // A whole SYN_STREAM of SPDY version 2: the server must close the connection, not hang or fall over.
        await connection.WriteAsync(Convert.FromHexString("800200010000001000000001000000000000000000000000"));
        var buffer = new byte[256];
        var ended = false;
        try
        {
            while (await connection.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(60)) > 0)
            {
            }

            ended = true;
        }
        catch (IOException)
        {
            ended = true;
        }

        Assert.True(ended);
        var next = (await pod.Cri.Runtime.ExecAsync(new ExecRequest { ContainerId = pod.ContainerId, Cmd = { "echo", "still-serving" }, Stdout = true })).Url;
        var stdout = new MemoryStream();
        var status = await RemoteCommandClient.RunSpdyAsync(http, new Uri(next), HttpMethod.Post, new RemoteCommandOptions(false, true, false, false),
            null, stdout, null, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(status.Success);
        Assert.Equal("still-serving\n", System.Text.Encoding.ASCII.GetString(stdout.ToArray()));
    }

    [NodeFact]
    public async Task StreamingUrl_UnknownToken_IsNotFound()
    {
        using var cri = new CriClient(fixture.SocketPath);
        using var http = new HttpClient();
        var url = new Uri((await cri.Runtime.PortForwardAsync(new PortForwardRequest { PodSandboxId = await AnySandboxAsync(cri) })).Url);

        var response = await http.GetAsync(new Uri(url, "/exec/not-a-token"));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<string> AnySandboxAsync(CriClient cri)
    {
        var sandboxes = await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = new PodSandboxFilter { State = new PodSandboxStateValue { State = PodSandboxState.SandboxReady } } });
        if (sandboxes.Items.Count > 0)
        {
            return sandboxes.Items[0].Id;
        }

        var config = new PodSandboxConfig { Metadata = new PodSandboxMetadata { Name = "token", Namespace = "streaming", Uid = Guid.NewGuid().ToString() } };
        return (await cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config })).PodSandboxId;
    }
}
