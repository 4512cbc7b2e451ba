using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Stevedore.Kubelet.NodeTests.Infrastructure;

namespace Stevedore.Kubelet.NodeTests;

/// <summary>
/// Real kubectl (1.27: SPDY everywhere; 1.32: WebSocket v5 for exec/attach/cp and the tunnelled
/// SPDY port-forward) against the API server, which proxies to this node's kubelet server, which
/// proxies to the runtime's streaming server: the whole path users take.
/// </summary>
[Collection(StreamingNodeCollection.Name)]
public sealed partial class KubectlStreamingTests(StreamingNode node)
{
    [KubectlTheory]
    [InlineData("1.27")]
    [InlineData("1.32")]
    public async Task Logs_TailTimestampsLimitAndAllContainers(string version)
    {
        var kubectl = new Kubectl(version, node.Kubeconfig);
        var ns = await node.CreateNamespaceAsync();
        await using var pod = await TestPod.StartAsync(node, ns, "logs",
            new PodContainer("a", "echo a-one; echo a-two; exec sleep 3600"), new PodContainer("b", "echo b-one; exec sleep 3600"));
        await pod.WaitForLogAsync("a", "a-two");
        await pod.WaitForLogAsync("b", "b-one");

        Assert.Equal("a-one\na-two\n", await kubectl.OkAsync("logs", "-n", ns, "logs", "-c", "a"));
        Assert.Equal("a-two\n", await kubectl.OkAsync("logs", "-n", ns, "logs", "-c", "a", "--tail=1"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z a-two\n$", await kubectl.OkAsync("logs", "-n", ns, "logs", "-c", "a", "--tail=1", "--timestamps"));
        Assert.Equal("a-o", await kubectl.OkAsync("logs", "-n", ns, "logs", "-c", "a", "--limit-bytes=3"));
        Assert.Equal("a-one\na-two\n", await kubectl.OkAsync("logs", "-n", ns, "logs", "-c", "a", "--since=1h"));
        var all = await kubectl.OkAsync("logs", "-n", ns, "logs", "--all-containers");
        Assert.Equal(["a-one", "a-two", "b-one"], all.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));

        var wrong = await kubectl.RunAsync("logs", "-n", ns, "logs", "-c", "nope");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("container nope is not valid for pod logs", wrong.StandardError, StringComparison.Ordinal);
    }

    [KubectlTheory]
    [InlineData("1.27")]
    [InlineData("1.32")]
    public async Task Logs_FollowAndPrevious(string version)
    {
        var kubectl = new Kubectl(version, node.Kubeconfig);
        var ns = await node.CreateNamespaceAsync();
        await using var pod = await TestPod.StartAsync(node, ns, "follow", new PodContainer("main", "for i in 1 2 3 4; do echo tick-$i; sleep 0.3; done"));

        // -f returns once the container has exited and its log is drained.
        Assert.Equal("tick-1\ntick-2\ntick-3\ntick-4\n", await kubectl.OkAsync("logs", "-n", ns, "follow", "-f"));

        await pod.WaitExitedAsync("main");
        await pod.StartContainerAsync(new PodContainer("main", "echo second-life; exec sleep 3600"), attempt: 1);
        await pod.WaitForLogAsync("main", "second-life", attempt: 1);
        Assert.Equal("second-life\n", await kubectl.OkAsync("logs", "-n", ns, "follow"));
        Assert.Equal("tick-1\ntick-2\ntick-3\ntick-4\n", await kubectl.OkAsync("logs", "-n", ns, "follow", "--previous"));
    }

    [KubectlTheory]
    [InlineData("1.27")]
    [InlineData("1.32")]
    public async Task Exec_OutputStdinAndExitCode(string version)
    {
        var kubectl = new Kubectl(version, node.Kubeconfig);
        var ns = await node.CreateNamespaceAsync();
        await using var pod = await TestPod.StartAsync(node, ns, "exec", new PodContainer("main", "exec sleep 3600"));

        var failed = await kubectl.RunAsync("exec", "-v=4", "-n", ns, "exec", "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        Assert.Equal(3, failed.ExitCode);
        Assert.Equal("out\n", failed.StandardOutput);
        Assert.Contains("err", failed.StandardError, StringComparison.Ordinal);
        if (version == "1.32")
        {
            // kubectl 1.30+ speaks WebSocket v5 end to end (no SPDY fallback happened).
            Assert.Contains("The subprotocol is v5.channel.k8s.io", failed.StandardError, StringComparison.Ordinal);
        }

        var input = string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i}\n"));
        var echoed = await kubectl.RunAsync(["exec", "-i", "-n", ns, "exec", "--", "sh", "-c", "cat; echo done"], input);
        Assert.True(echoed.ExitCode == 0, echoed.Combined);
        Assert.Equal(input + "done\n", echoed.StandardOutput);
    }

    [KubectlTheory]
    [InlineData("1.27")]
    [InlineData("1.32")]
    public async Task Exec_WithATerminal_RunsTheCommandOnATty(string version)
    {
        var kubectl = new Kubectl(version, node.Kubeconfig);
        var ns = await node.CreateNamespaceAsync();
        await using var pod = await TestPod.StartAsync(node, ns, "tty", new PodContainer("main", "exec sleep 3600"));

        // kubectl sends its terminal's size (set here on the pty script gives it) on the resize stream.
        var result = await kubectl.RunInTerminalAsync(
            $"exec -it -n {ns} tty -- sh -c 'tty; until [ \"$(stty size)\" = \"45 123\" ]; do sleep 0.1; done; echo resized-to-kubectls-terminal'",
            terminalSize: (123, 45));

        Assert.True(result.ExitCode == 0, result.Combined);
        Assert.Matches(@"/dev/pts/\d+\r?\n", result.StandardOutput);
        Assert.Contains("resized-to-kubectls-terminal", result.StandardOutput, StringComparison.Ordinal);
    }

    [KubectlTheory]
    [InlineData("1.27")]
    [InlineData("1.32")]
    public async Task Cp_IntoAndOutOfThePod_KeepsTheContent(string version)
    {
        var kubectl = new Kubectl(version, node.Kubeconfig);
        var ns = await node.CreateNamespaceAsync();
        await using var pod = await TestPod.StartAsync(node, ns, "cp", new PodContainer("main", "exec sleep 3600"));
        var local = Directory.CreateTempSubdirectory("stevedore-kubectl-cp-").FullName;
        try
        {
            var content = new byte[300_000];
            new Random(11).NextBytes(content);
            await File.WriteAllBytesAsync(Path.Combine(local, "payload.bin"), content);

            await kubectl.OkAsync("cp", Path.Combine(local, "payload.bin"), $"{ns}/cp:/tmp/payload.bin", "-c", "main");
            Assert.Contains(content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
                await kubectl.OkAsync("exec", "-n", ns, "cp", "--", "wc", "-c", "/tmp/payload.bin"), StringComparison.Ordinal);
            await kubectl.OkAsync("cp", $"{ns}/cp:/tmp/payload.bin", Path.Combine(local, "back.bin"), "-c", "main");

            Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(local, "back.bin")));
        }
        finally
        {
            Directory.Delete(local, recursive: true);
        }
    }

    [KubectlTheory]
    [InlineData("1.27")]
    [InlineData("1.32")]
    public async Task PortForward_ToAServerInThePod_AnswersOnTheLocalPort(string version)
    {
        var kubectl = new Kubectl(version, node.Kubeconfig);
        var ns = await node.CreateNamespaceAsync();
        await using var pod = await TestPod.StartAsync(node, ns, "web",
            new PodContainer("main", "mkdir -p /www && echo hello-from-the-pod > /www/index.html && httpd -p 8080 -h /www && echo serving && exec sleep 3600"));
        await pod.WaitForLogAsync("main", "serving");

        using var forward = kubectl.Start("port-forward", "-v=4", "-n", ns, "pod/web", ":8080");
        var log = forward.StandardError.ReadToEndAsync();
        try
        {
            var localPort = await ForwardedPortAsync(forward);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

            Assert.Equal("hello-from-the-pod\n", await http.GetStringAsync($"http://127.0.0.1:{localPort}/index.html"));
            Assert.Equal("hello-from-the-pod\n", await http.GetStringAsync($"http://127.0.0.1:{localPort}/index.html"));
        }
        finally
        {
            forward.Kill(entireProcessTree: true);
            await forward.WaitForExitAsync();
        }

        if (version == "1.32")
        {
            // kubectl 1.31+ tunnels SPDY through a WebSocket (SPDY/3.1+portforward.k8s.io).
            Assert.Contains("negotiated protocol: portforward.k8s.io", await log, StringComparison.Ordinal);
        }
    }

    [KubectlTheory]
    [InlineData("1.27")]
    [InlineData("1.32")]
    public async Task Attach_WithStdin_TalksToTheMainProcess(string version)
    {
        var kubectl = new Kubectl(version, node.Kubeconfig);
        var ns = await node.CreateNamespaceAsync();
        await using var pod = await TestPod.StartAsync(node, ns, "attach",
            new PodContainer("main", "read line; echo \"attached: $line\"", Stdin: true, StdinOnce: true));

        var result = await kubectl.RunAsync(["attach", "-i", "-n", ns, "attach", "-c", "main"], "hello\n");

        Assert.Contains("attached: hello", result.StandardOutput, StringComparison.Ordinal);
    }

    [KubectlTheory]
    [InlineData("1.27")]
    [InlineData("1.32")]
    public async Task Errors_PodWithoutNodeAndUnreachableKubelet_AreReportedAsUpstream(string version)
    {
        var kubectl = new Kubectl(version, node.Kubeconfig);
        var ns = await node.CreateNamespaceAsync();
        await node.CreateAsync($"/api/v1/namespaces/{ns}/pods",
            $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"unbound"},"spec":{"containers":[{"name":"main","image":"busybox"}]}}""");

        var unbound = await kubectl.RunAsync("exec", "-n", ns, "unbound", "--", "true");
        Assert.NotEqual(0, unbound.ExitCode);
        Assert.Contains("pod unbound does not have a host assigned", unbound.StandardError, StringComparison.Ordinal);
        Assert.Equal("", await kubectl.OkAsync("logs", "-n", ns, "unbound"));

        // A node whose kubelet port has nothing behind it.
        var deadPort = ClosedPort();
        var deadNode = "dead-" + Guid.NewGuid().ToString("N")[..8];
        await node.CreateAsync("/api/v1/nodes", $$$"""{"apiVersion":"v1","kind":"Node","metadata":{"name":"{{{deadNode}}}"}}""");
        await node.PatchStatusAsync($"/api/v1/nodes/{deadNode}/status",
            "{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"127.0.0.1\"}],\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":" + deadPort + "}}}}");
        await node.CreateAsync($"/api/v1/namespaces/{ns}/pods",
            $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"stranded"},"spec":{"nodeName":"{{{deadNode}}}","containers":[{"name":"main","image":"busybox"}]}}""");

        var logs = await kubectl.RunAsync("logs", "-n", ns, "stranded");
        Assert.NotEqual(0, logs.ExitCode);
        Assert.Contains("connection refused", logs.StandardError, StringComparison.Ordinal);
        var exec = await kubectl.RunAsync("exec", "-n", ns, "stranded", "--", "true");
        Assert.NotEqual(0, exec.ExitCode);
        Assert.Contains("error dialing backend", exec.StandardError, StringComparison.Ordinal);
    }

    private static async Task<int> ForwardedPortAsync(System.Diagnostics.Process forward)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new StringBuilder();
        while (true)
        {
            var line = await forward.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException($"kubectl port-forward ended: {seen}");
            seen.AppendLine(line);
            if (ForwardingLine().Match(line) is { Success: true } match)
            {
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"Forwarding from 127\.0\.0\.1:(\d+) ->")]
    private static partial Regex ForwardingLine();
}
