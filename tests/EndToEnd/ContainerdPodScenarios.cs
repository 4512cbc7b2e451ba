using EndToEnd.Infrastructure;

namespace EndToEnd;

/// <summary>
/// Issue 5's "the same pod suite passes with containerd as the runtime": a core subset of <see cref="RealPodScenarios"/>
/// against <c>stevedore server</c> whose agent talks CRI to Debian's containerd (<c>--container-runtime-endpoint</c>,
/// <see cref="ContainerdRuntime"/>) — containerd makes the sandboxes and containers and runs the CNI plugins with the
/// conflist the agent writes; the kubelet, probes, logs and exec streaming are the same code as with the built-in engine.
/// </summary>
[Collection(ContainerdPodCollection.Name)]
public sealed class ContainerdPodScenarios(ContainerdAgentFixture cluster) : IAsyncLifetime
{
    private const string Image = "busybox:1.36";

    private readonly List<string> _namespaces = [];

    private AgentServer Server => cluster.Server;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_namespaces.Count > 0)
        {
            await Server.Kubectl().RunAsync(["delete", "namespace", "--wait=false", "--ignore-not-found", .. _namespaces], null, TimeSpan.FromSeconds(60));
        }
    }

    [Fact]
    public async Task Deployment_OfThree_RunsReadyOnContainerd_AndPodsReachEachOtherByIp()
    {
        var k = Server.Kubectl();
        Assert.StartsWith("containerd://1.", await k.OkAsync("get", "node", Server.NodeName, "-o", "jsonpath={.status.nodeInfo.containerRuntimeVersion}"));
        var ns = await NamespaceAsync();
        await k.OkWithInputAsync($$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: 3
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: web
                    image: {{{Image}}}
                    imagePullPolicy: IfNotPresent
                    command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
                    readinessProbe:
                      tcpSocket: {port: 8080}
                      periodSeconds: 1
            """, "apply", "-n", ns, "-f", "-");

        await Scenario.RolloutStatusAsync(k, ns, "web");

        var pods = Scenario.Lines(await k.OkAsync("get", "pods", "-n", ns, "-l", "app=web", "-o",
                """jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.spec.nodeName} {.status.podIP} {.status.containerStatuses[0].ready} {.status.containerStatuses[0].containerID}{"\n"}{end}"""))
            .Select(l => l.Split(' ')).ToList();
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal(["Running", Server.NodeName, "true"], new[] { p[1], p[2], p[4] }));
        Assert.All(pods, p => Assert.Matches(@"^10\.42\.\d+\.\d+$", p[3]));
        // containerd names its containers with 64 hex digits.
        Assert.All(pods, p => Assert.Matches("^containerd://[0-9a-f]{64}$", p[5]));
        Assert.Equal(3, pods.Select(p => p[3]).Distinct().Count());
        Assert.Matches(@"web\s+3/3\s+3\s+3", await k.OkAsync("get", "deployment", "web", "-n", ns));

        for (var i = 0; i < pods.Count; i++)
        {
            var to = pods[(i + 1) % pods.Count];
            var page = await k.OkAsync("exec", "-n", ns, pods[i][0], "--", "timeout", "20", "wget", "-qO-", $"http://{to[3]}:8080/");
            Assert.Equal(to[0], page.Trim());
        }
    }

    [Fact]
    public async Task ExecLivenessProbeFailure_OnContainerd_RestartsTheContainer_WithAnUnhealthyEvent()
    {
        var k = Server.Kubectl();
        var ns = await NamespaceAsync();
        await k.OkWithInputAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: live
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "n=$(($(cat /state/n 2>/dev/null || echo 0) + 1)); echo $n > /state/n; echo run-$n; touch /tmp/alive; exec sleep 3600"]
                livenessProbe:
                  exec: {command: ["cat", "/tmp/alive"]}
                  periodSeconds: 1
                  failureThreshold: 2
                volumeMounts: [{name: state, mountPath: /state}]
              volumes: [{name: state, emptyDir: {}}]
            """, "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "live");
        Assert.Equal("run-1", (await k.OkAsync("logs", "live", "-n", ns)).Trim());

        await k.OkAsync("exec", "live", "-n", ns, "--", "rm", "/tmp/alive");

        await Scenario.EventuallyAsync(async () =>
                int.TryParse(await k.OkAsync("get", "pod", "live", "-n", ns, "-o", "jsonpath={.status.containerStatuses[0].restartCount}"), out var restarts) && restarts >= 1,
            "the container restarted after its liveness probe failed", () => k.OkAsync("describe", "pod", "live", "-n", ns), seconds: 60);
        var unhealthy = await k.OkAsync("get", "events", "-n", ns, "--field-selector", "involvedObject.name=live,reason=Unhealthy", "-o", """jsonpath={range .items[*]}{.message}{"\n"}{end}""");
        Assert.Contains("Liveness probe failed", unhealthy);
        await WaitReadyAsync(k, ns, "live");
        Assert.Matches(@"live\s+1/1\s+Running\s+[1-9]", await k.OkAsync("get", "pod", "live", "-n", ns));
        Assert.Equal("run-2", (await k.OkAsync("logs", "live", "-n", ns)).Trim());
        Assert.Equal("run-1", (await k.OkAsync("logs", "live", "-n", ns, "--previous")).Trim());
    }

    [Fact]
    public async Task LogsAndExec_WithKubectl132_OnContainerd()
    {
        var k = Server.Kubectl("1.32");
        var ns = await NamespaceAsync();
        await k.OkWithInputAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: shell
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "echo one; echo two >&2; exec sleep 3600"]
            """, "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "shell");

        await Scenario.EventuallyAsync(async () => Scenario.Lines(await k.OkAsync("logs", "shell", "-n", ns)).Order().SequenceEqual(["one", "two"]),
            "both lines in the log", () => k.OkAsync("logs", "shell", "-n", ns), seconds: 30);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\S+ one$", Scenario.Lines(await k.OkAsync("logs", "shell", "-n", ns, "--timestamps")).First(l => l.EndsWith(" one", StringComparison.Ordinal)));
        Assert.Equal("shell", await k.OkAsync("exec", "shell", "-n", ns, "--", "hostname"));
        var line = "stdin-" + Scenario.Suffix();
        var echoed = await k.RunAsync(["exec", "-i", "shell", "-n", ns, "--", "sh", "-c", "read l; echo got-$l"], line + "\n");
        Assert.True(echoed.ExitCode == 0, echoed.Combined);
        Assert.Equal("got-" + line, echoed.StandardOutput.Trim());
        var failed = await k.RunAsync("exec", "shell", "-n", ns, "--", "sh", "-c", "echo to-stderr >&2; exit 3");
        Assert.Equal(3, failed.ExitCode);
        Assert.Contains("to-stderr", failed.StandardError);
    }

    private async Task<string> NamespaceAsync()
    {
        var ns = await Server.NamespaceAsync();
        _namespaces.Add(ns);
        return ns;
    }

    private static async Task WaitReadyAsync(Kubectl k, string ns, string pod)
    {
        var result = await k.RunAsync(["wait", "pod/" + pod, "-n", ns, "--for=condition=Ready", "--timeout=120s"], null, TimeSpan.FromSeconds(140));
        if (result.ExitCode != 0)
        {
            var describe = await k.RunAsync("describe", "pod", pod, "-n", ns);
            Assert.Fail($"pod {ns}/{pod} not Ready ({result.ExitCode}): {result.Combined}\n{describe.Combined}");
        }
    }
}

/// <summary>One agent-enabled server on containerd for the collection; it holds the machine's agent resources (<see cref="AgentMachine"/>).</summary>
public sealed class ContainerdAgentFixture : IAsyncLifetime
{
    public AgentServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AgentServer.StartAsync(containerd: true);

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ContainerdPodCollection : ICollectionFixture<ContainerdAgentFixture>
{
    public const string Name = "containerd-pods";
}
