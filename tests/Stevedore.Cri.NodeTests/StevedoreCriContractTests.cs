using Stevedore.Cri.Streaming.PortForward;
using Stevedore.Cri.Streaming.RemoteCommand;
using Stevedore.Cri.V1;
using Stevedore.Runtime;
using Stevedore.Runtime.Cri;

namespace Stevedore.Cri.NodeTests;

/// <summary>The CRI contract against Stevedore's own CRI server, plus what only Stevedore promises.</summary>
public sealed class StevedoreCriContractTests(StevedoreCriFixture fixture) : CriContractTests(fixture), IClassFixture<StevedoreCriFixture>
{
    [NodeFact]
    public async Task RunPodSandbox_ThenNewServerOverTheSameData_KnowsTheSandbox()
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
            var socket = Path.Combine(fixture.ScratchDir, "second.sock");
            await using (var second = await CriServer.StartAsync(new ContainerEngine(fixture.Options!), socket, CancellationToken.None))
            {
                using var again = new CriClient(socket);
                var status = (await again.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId })).Status;

                Assert.Equal(PodSandboxState.SandboxReady, status.State);
                Assert.Equal(("restart", "ns1", uid, 3u), (status.Metadata.Name, status.Metadata.Namespace, status.Metadata.Uid, status.Metadata.Attempt));
                Assert.Equal("yes", status.Labels["kept"]);
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
