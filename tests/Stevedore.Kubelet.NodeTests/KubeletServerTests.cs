using System.Net;
using System.Text;
using Stevedore.Cri.Streaming;
using Stevedore.Cri.Streaming.PortForward;
using Stevedore.Cri.Streaming.RemoteCommand;
using Stevedore.Kubelet.NodeTests.Infrastructure;

namespace Stevedore.Kubelet.NodeTests;

/// <summary>The kubelet's HTTPS server over a real CRI runtime: logs read from the CRI log files, streams proxied to the runtime.</summary>
[Collection(StreamingNodeCollection.Name)]
public sealed class KubeletServerTests(StreamingNode node)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [NodeFact]
    public async Task ContainerLogs_TailTimestampsAndLimit_ShapeTheLogAsKubectlShowsIt()
    {
        var ns = await node.CreateNamespaceAsync();
        await using var pod = await TestPod.StartAsync(node, ns, "logs",
            new PodContainer("main", "echo one; echo two; echo three; exec sleep 3600"), new PodContainer("errors", "echo to-stderr >&2; exec sleep 3600"));
        await pod.WaitForLogAsync("main", "three");
        await pod.WaitForLogAsync("errors", "to-stderr");

        Assert.Equal("one\ntwo\nthree\n", await GetTextAsync($"/containerLogs/{ns}/logs/main"));
        Assert.Equal("two\nthree\n", await GetTextAsync($"/containerLogs/{ns}/logs/main?tailLines=2"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z three\n$", await GetTextAsync($"/containerLogs/{ns}/logs/main?tailLines=1&timestamps=true"));
        Assert.Equal("one\ntw", await GetTextAsync($"/containerLogs/{ns}/logs/main?limitBytes=6"));
        Assert.Equal("", await GetTextAsync($"/containerLogs/{ns}/logs/main?sinceTime=2999-01-01T00:00:00Z"));
        Assert.Equal("to-stderr\n", await GetTextAsync($"/containerLogs/{ns}/logs/errors"));
    }

    [NodeFact]
    public async Task ContainerLogs_Previous_ReadsTheAttemptBeforeTheCurrentOne()
    {
        var ns = await node.CreateNamespaceAsync();
        await using var pod = await TestPod.StartAsync(node, ns, "restarted", new PodContainer("main", "echo first-run"));
        await pod.WaitExitedAsync("main");
        var (code, noPrevious) = await GetAsync($"/containerLogs/{ns}/restarted/main?previous=true");
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("previous terminated container \"main\" in pod \"restarted\" not found", noPrevious);

        await pod.StartContainerAsync(new PodContainer("main", "echo second-run; exec sleep 3600"), attempt: 1);
        await pod.WaitForLogAsync("main", "second-run", attempt: 1);

        Assert.Equal("second-run\n", await GetTextAsync($"/containerLogs/{ns}/restarted/main"));
        Assert.Equal("first-run\n", await GetTextAsync($"/containerLogs/{ns}/restarted/main?previous=true"));
    }

    [NodeFact]
    public async Task ContainerLogs_Follow_StreamsEveryLineAndEndsWhenTheContainerExits()
    {
        var ns = await node.CreateNamespaceAsync();
        await using var pod = await TestPod.StartAsync(node, ns, "follow", new PodContainer("main", "for i in 0 1 2 3 4; do echo line-$i; sleep 0.3; done"));

        var text = await GetTextAsync($"/containerLogs/{ns}/follow/main?follow=true");

        Assert.Equal("line-0\nline-1\nline-2\nline-3\nline-4\n", text);
    }

    [NodeFact]
    public async Task ContainerLogs_UnknownPodOrContainer_AreUpstreamsErrors()
    {
        var ns = await node.CreateNamespaceAsync();
        await using var pod = await TestPod.StartAsync(node, ns, "known", new PodContainer("main", "exec sleep 3600"));

        Assert.Equal((HttpStatusCode.NotFound, "pod \"nobody\" does not exist"), await GetAsync($"/containerLogs/{ns}/nobody/main"));
        Assert.Equal((HttpStatusCode.BadRequest, "container \"other\" in pod \"known\" is waiting to start - no logs yet"), await GetAsync($"/containerLogs/{ns}/known/other"));
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync($"/containerLogs/{ns}/known/main?tailLines=-3")).Code);
    }

    [NodeFact]
    public async Task Requests_WithoutAClientCertificate_AreUnauthorized()
    {
        using var anonymous = node.KubeletClient(withCertificate: false);
        using var response = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, node.KubeletUrl("/containerLogs/default/x/y")), CancellationToken.None);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [NodeFact]
    public async Task Exec_OverSpdyAndWebSocket_IsProxiedToTheRuntime()
    {
        var ns = await node.CreateNamespaceAsync();
        await using var pod = await TestPod.StartAsync(node, ns, "exec", new PodContainer("main", "exec sleep 3600"));
        using var kubelet = node.KubeletClient();
        var query = "?command=sh&command=-c&command=" + Uri.EscapeDataString("cat; echo err >&2; exit 5") + "&stdin=1&stdout=1&stderr=1";
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();

        var spdy = await RemoteCommandClient.RunSpdyAsync(kubelet, node.KubeletUrl($"/exec/{ns}/exec/main{query}"), HttpMethod.Post,
            new RemoteCommandOptions(true, true, true, false), new MemoryStream("via spdy\n"u8.ToArray()), stdout, stderr, null, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(5, spdy.ExitCode);
        Assert.Equal(("via spdy\n", "err\n"), (Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray())));

        stdout.SetLength(0);
        var webSocket = await RemoteCommandClient.RunWebSocketAsync(kubelet, node.KubeletUrl($"/exec/{ns}/exec/main{query}"),
            new RemoteCommandOptions(true, true, true, false), new MemoryStream("via websocket\n"u8.ToArray()), stdout, Stream.Null, null, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(5, webSocket.ExitCode);
        Assert.Equal("via websocket\n", Encoding.UTF8.GetString(stdout.ToArray()));
    }

    [NodeFact]
    public async Task Exec_ContainerNotRunningHere_IsRefusedBeforeTheUpgrade()
    {
        var ns = await node.CreateNamespaceAsync();
        await using var pod = await TestPod.StartAsync(node, ns, "refused", new PodContainer("main", "exec sleep 3600"));
        using var kubelet = node.KubeletClient();

        var error = await Assert.ThrowsAsync<StreamUpgradeException>(() => RemoteCommandClient.RunSpdyAsync(kubelet, node.KubeletUrl($"/exec/{ns}/refused/ghost?command=true&stdout=1"),
            HttpMethod.Post, new RemoteCommandOptions(false, true, false, false), null, Stream.Null, null, null, CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("container not found (\"ghost\")", error.Body);
    }

    [NodeFact]
    public async Task Attach_ThroughTheKubelet_ReachesTheMainProcess()
    {
        var ns = await node.CreateNamespaceAsync();
        await using var pod = await TestPod.StartAsync(node, ns, "attach", new PodContainer("main", "read line; echo \"attached: $line\"", Stdin: true, StdinOnce: true));
        using var kubelet = node.KubeletClient();
        var stdout = new MemoryStream();

        var status = await RemoteCommandClient.RunSpdyAsync(kubelet, node.KubeletUrl($"/attach/{ns}/attach/main?stdin=1&stdout=1&stderr=1"), HttpMethod.Post,
            new RemoteCommandOptions(true, true, true, false), new MemoryStream("hello\n"u8.ToArray()), stdout, Stream.Null, null, CancellationToken.None).WaitAsync(Timeout);

        Assert.True(status.Success, status.Message);
        Assert.Equal("attached: hello\n", Encoding.UTF8.GetString(stdout.ToArray()));
    }

    [NodeFact]
    public async Task PortForward_OverSpdyAndTheWebSocketTunnel_ReachesTheServerInThePod()
    {
        var ns = await node.CreateNamespaceAsync();
        await using var pod = await TestPod.StartAsync(node, ns, "forward", new PodContainer("main", "exec nc -ll -p 7070 -e /bin/cat"));
        using var kubelet = node.KubeletClient();

        await using (var spdy = await PortForwardSession.ConnectSpdyAsync(kubelet, node.KubeletUrl($"/portForward/{ns}/forward"), HttpMethod.Post, CancellationToken.None))
        {
            Assert.Equal("spdy\n", await EchoAsync(spdy, 7070, "spdy\n"));
        }

        await using var tunnel = await PortForwardSession.ConnectTunnelAsync(kubelet, node.KubeletUrl($"/portForward/{ns}/forward"), CancellationToken.None);
        Assert.Equal("tunnel\n", await EchoAsync(tunnel, 7070, "tunnel\n"));
    }

    /// <summary>Sends <paramref name="text"/> through a forwarded connection and reads the echo, retrying while the server starts.</summary>
    internal static async Task<string> EchoAsync(PortForwardSession session, int port, string text)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var connection = await session.OpenAsync(port, CancellationToken.None).WaitAsync(Timeout);
            await connection.Data.WriteAsync(Encoding.UTF8.GetBytes(text));
            await connection.Data.CloseWriteAsync();
            var echoed = await new StreamReader(connection.Data).ReadToEndAsync().WaitAsync(Timeout);
            if (echoed.Length > 0)
            {
                return echoed;
            }

            await Task.Delay(100);
        }

        return "";
    }

    private async Task<string> GetTextAsync(string pathAndQuery)
    {
        var (code, text) = await GetAsync(pathAndQuery);
        Assert.True(code == HttpStatusCode.OK, $"GET {pathAndQuery}: {(int)code} {text}");
        return text;
    }

    private async Task<(HttpStatusCode Code, string Text)> GetAsync(string pathAndQuery)
    {
        using var kubelet = node.KubeletClient();
        using var response = await kubelet.SendAsync(new HttpRequestMessage(HttpMethod.Get, node.KubeletUrl(pathAndQuery)), CancellationToken.None).WaitAsync(Timeout);
        return (response.StatusCode, await response.Content.ReadAsStringAsync().WaitAsync(Timeout));
    }
}
