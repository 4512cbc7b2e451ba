using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using EndToEnd.Infrastructure;

namespace EndToEnd;

/// <summary>
/// Real pods, end to end: the published <c>stevedore server</c> with its node agent (runc containers, CNI pod
/// network, volumes, env, probes, the kubelet server), driven by real kubectl. One agent-enabled server for the
/// whole collection (only one may run on the machine); every test works in its own namespace, which the
/// fixture deletes before stopping the server. Images are the local test images, never pulled.
/// </summary>
[Collection(RealPodCollection.Name)]
public sealed class RealPodScenarios(AgentServerFixture cluster)
{
    private const string Image = "busybox:1.36";

    /// <summary>busybox httpd on :8080 serving /www, whose index.html holds the pod's hostname.</summary>
    private const string HttpdCommand = """["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]""";

    private AgentServer Server => cluster.Server;

    private Kubectl Kubectl(string version = "1.32") => Server.Kubectl(version);

    [Fact]
    public async Task Deployment_OfThree_RunsReadyAndPodsReachEachOtherByIp()
    {
        var k = Kubectl();
        var ns = await Server.NamespaceAsync();
        var manifest = $$$"""
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
                  containers:
                  - name: web
                    image: {{{Image}}}
                    imagePullPolicy: IfNotPresent
                    command: {{{HttpdCommand}}}
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");

        await Scenario.RolloutStatusAsync(k, ns, "web");

        var pods = Scenario.Lines(await k.OkAsync("get", "pods", "-n", ns, "-l", "app=web", "-o",
                """jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.spec.nodeName} {.status.podIP} {.status.containerStatuses[0].ready}{"\n"}{end}"""))
            .Select(l => l.Split(' ')).ToList();
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal(["Running", Server.NodeName, "true"], new[] { p[1], p[2], p[4] }));
        Assert.All(pods, p => Assert.Matches(@"^10\.42\.\d+\.\d+$", p[3]));
        Assert.Equal(3, pods.Select(p => p[3]).Distinct().Count());

        // Each pod fetches its neighbour's page over the pod network; the page names the neighbour.
        for (var i = 0; i < pods.Count; i++)
        {
            var from = pods[i][0];
            var to = pods[(i + 1) % pods.Count];
            var page = await k.OkAsync("exec", "-n", ns, from, "--", "wget", "-qO-", "-T", "10", $"http://{to[3]}:8080/");
            Assert.Equal(to[0], page.Trim());
        }
    }

    [Fact]
    public async Task ExecLivenessProbeFailure_RestartsContainer_WithUnhealthyAndKillingEvents_LogsPreviousShowsFirstRun()
    {
        var k = Kubectl();
        var ns = await Server.NamespaceAsync();
        // Every start counts itself in an emptyDir (which outlives container restarts) and prints "run-N".
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: live
            spec:
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "n=$(($(cat /state/n 2>/dev/null || echo 0) + 1)); echo $n > /state/n; echo run-$n; touch /tmp/alive; exec sleep 3600"]
                livenessProbe:
                  exec: {command: ["cat", "/tmp/alive"]}
                  periodSeconds: 2
                  failureThreshold: 1
                volumeMounts: [{name: state, mountPath: /state}]
              volumes: [{name: state, emptyDir: {}}]
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "live");
        Assert.Equal("0", await k.OkAsync("get", "pod", "live", "-n", ns, "-o", "jsonpath={.status.containerStatuses[0].restartCount}"));
        Assert.Equal("run-1", (await k.OkAsync("logs", "live", "-n", ns)).Trim());

        await k.OkAsync("exec", "live", "-n", ns, "--", "rm", "/tmp/alive");

        await Scenario.EventuallyAsync(async () =>
                int.TryParse(await k.OkAsync("get", "pod", "live", "-n", ns, "-o", "jsonpath={.status.containerStatuses[0].restartCount}"), out var restarts) && restarts >= 1,
            "the container restarted after its liveness probe failed", () => k.OkAsync("describe", "pod", "live", "-n", ns), seconds: 120);
        Assert.Contains("Liveness probe failed", await EventMessagesAsync(k, ns, "live", "Unhealthy"));
        Assert.Contains("failed liveness probe", await EventMessagesAsync(k, ns, "live", "Killing"));
        Assert.Matches(@"live\s+1/1\s+Running\s+[1-9]", await WaitReadyThenGetAsync(k, ns, "live"));

        foreach (var version in new[] { "1.32", "1.27" })
        {
            var kv = Kubectl(version);
            Assert.Equal("run-2", (await kv.OkAsync("logs", "live", "-n", ns)).Trim());
            Assert.Equal("run-1", (await kv.OkAsync("logs", "live", "-n", ns, "--previous")).Trim());
        }
    }

    [Fact]
    public async Task ReadinessProbe_KeepsPodNotReadyUntilTheProbeSucceeds()
    {
        var k = Kubectl();
        var ns = await Server.NamespaceAsync();
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: gate
            spec:
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                readinessProbe:
                  exec: {command: ["cat", "/tmp/ready"]}
                  periodSeconds: 2
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");

        // Once the probe has failed (no /tmp/ready yet), the running pod must be reported not ready.
        Assert.Contains("Readiness probe failed", await EventMessagesAsync(k, ns, "gate", "Unhealthy"));
        Assert.Equal("Running False false", await k.OkAsync("get", "pod", "gate", "-n", ns, "-o",
            """jsonpath={.status.phase} {.status.conditions[?(@.type=="Ready")].status} {.status.containerStatuses[0].ready}"""));

        await k.OkAsync("exec", "gate", "-n", ns, "--", "touch", "/tmp/ready");

        await WaitReadyAsync(k, ns, "gate");
        Assert.Equal("True true", await k.OkAsync("get", "pod", "gate", "-n", ns, "-o",
            """jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.containerStatuses[0].ready}"""));
    }

    [Fact]
    public async Task InitContainer_OutputIsVisibleToTheAppContainerThroughEmptyDir()
    {
        var k = Kubectl();
        var ns = await Server.NamespaceAsync();
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: init
            spec:
              initContainers:
              - name: prepare
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "echo prepared-by-$(hostname) > /work/message"]
                volumeMounts: [{name: work, mountPath: /work}]
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                volumeMounts: [{name: work, mountPath: /data}]
              volumes: [{name: work, emptyDir: {}}]
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "init");

        Assert.Equal("prepared-by-init", await k.OkAsync("exec", "init", "-n", ns, "-c", "c", "--", "cat", "/data/message"));
        Assert.Equal("Completed 0", await k.OkAsync("get", "pod", "init", "-n", ns, "-o",
            "jsonpath={.status.initContainerStatuses[0].state.terminated.reason} {.status.initContainerStatuses[0].state.terminated.exitCode}"));
    }

    [Fact]
    public async Task Env_FromConfigMapAndSecret_KeyRefsAndEnvFrom()
    {
        var k = Kubectl();
        var ns = await Server.NamespaceAsync();
        var colour = "blue-" + Scenario.Suffix();
        var password = "pw-" + Scenario.Suffix();
        await k.OkAsync("create", "configmap", "settings", "-n", ns, "--from-literal=colour=" + colour, "--from-literal=SIZE=large");
        await k.OkAsync("create", "secret", "generic", "creds", "-n", ns, "--from-literal=password=" + password, "--from-literal=TOKEN=t0k3n");
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: env
            spec:
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                env:
                - {name: COLOUR, valueFrom: {configMapKeyRef: {name: settings, key: colour} } }
                - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password} } }
                envFrom:
                - configMapRef: {name: settings}
                - prefix: S_
                  secretRef: {name: creds}
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "env");

        var env = await EnvAsync(k, ns, "env");
        Assert.Equal(colour, env["COLOUR"]);
        Assert.Equal(password, env["PASSWORD"]);
        Assert.Equal(colour, env["colour"]);
        Assert.Equal("large", env["SIZE"]);
        Assert.Equal(password, env["S_password"]);
        Assert.Equal("t0k3n", env["S_TOKEN"]);
    }

    [Fact]
    public async Task Env_FromDownwardApi_FieldRefs()
    {
        var k = Kubectl();
        var ns = await Server.NamespaceAsync();
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: downward
              labels: {tier: backend}
            spec:
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                env:
                - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name} } }
                - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace} } }
                - {name: NODE_NAME, valueFrom: {fieldRef: {fieldPath: spec.nodeName} } }
                - {name: SERVICE_ACCOUNT, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName} } }
                - {name: TIER, valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"} } }
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "downward");

        var env = await EnvAsync(k, ns, "downward");
        Assert.Equal("downward", env["POD_NAME"]);
        Assert.Equal(ns, env["POD_NAMESPACE"]);
        Assert.Equal(Server.NodeName, env["NODE_NAME"]);
        Assert.Equal("default", env["SERVICE_ACCOUNT"]);
        Assert.Equal("backend", env["TIER"]);
    }

    [Fact]
    public async Task ConfigMapVolume_MountedFileUpdatesInPlaceAfterTheConfigMapChanges()
    {
        var k = Kubectl();
        var ns = await Server.NamespaceAsync();
        var before = "v1-" + Scenario.Suffix();
        var after = "v2-" + Scenario.Suffix();
        await k.OkAsync("create", "configmap", "conf", "-n", ns, "--from-literal=setting=" + before);
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: conf
            spec:
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                volumeMounts: [{name: conf, mountPath: /etc/conf}]
              volumes: [{name: conf, configMap: {name: conf}}]
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "conf");
        Assert.Equal(before, await k.OkAsync("exec", "conf", "-n", ns, "--", "cat", "/etc/conf/setting"));

        await k.OkAsync("patch", "configmap", "conf", "-n", ns, "--type=merge", "-p", $$$"""{"data":{"setting":"{{{after}}}"}}""");

        await Scenario.EventuallyAsync(async () => await k.OkAsync("exec", "conf", "-n", ns, "--", "cat", "/etc/conf/setting") == after,
            "the mounted file to show the ConfigMap's new value", seconds: 120);
        Assert.Equal("0", await k.OkAsync("get", "pod", "conf", "-n", ns, "-o", "jsonpath={.status.containerStatuses[0].restartCount}"));
    }

    [Fact]
    public async Task ServiceAccountToken_IsMountedAsJwtForThePodsServiceAccount()
    {
        var k = Kubectl();
        var ns = await Server.NamespaceAsync();
        await k.OkWithInputAsync(SleeperPod("sa"), "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "sa");
        const string dir = "/var/run/secrets/kubernetes.io/serviceaccount";

        var token = await k.OkAsync("exec", "sa", "-n", ns, "--", "cat", dir + "/token");
        var parts = token.Trim().Split('.');
        Assert.Equal(3, parts.Length);
        Assert.All(parts, p => Assert.Matches("^[A-Za-z0-9_-]+$", p));
        var header = JsonNode.Parse(Base64UrlDecode(parts[0]))!;
        Assert.NotNull(header["alg"]);
        var claims = JsonNode.Parse(Base64UrlDecode(parts[1]))!;
        Assert.Equal($"system:serviceaccount:{ns}:default", claims["sub"]!.GetValue<string>());
        Assert.Equal(ns, await k.OkAsync("exec", "sa", "-n", ns, "--", "cat", dir + "/namespace"));
        Assert.Contains("BEGIN CERTIFICATE", await k.OkAsync("exec", "sa", "-n", ns, "--", "cat", dir + "/ca.crt"));
    }

    [Theory]
    [InlineData("1.32")]
    [InlineData("1.27")]
    public async Task Exec_RunsInTheContainer_PassesStdinAndExitCode(string kubectlVersion)
    {
        var k = Kubectl(kubectlVersion);
        var ns = await Server.NamespaceAsync();
        await k.OkWithInputAsync(SleeperPod("shell"), "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "shell");

        Assert.Equal("shell", await k.OkAsync("exec", "shell", "-n", ns, "--", "hostname"));
        var line = "stdin-" + Scenario.Suffix();
        var echoed = await k.RunAsync(["exec", "-i", "shell", "-n", ns, "--", "sh", "-c", "read l; echo got-$l"], line + "\n");
        Assert.True(echoed.ExitCode == 0, echoed.Combined);
        Assert.Equal("got-" + line, echoed.StandardOutput.Trim());

        var failed = await k.RunAsync("exec", "shell", "-n", ns, "--", "sh", "-c", "echo to-stderr >&2; exit 3");
        Assert.Equal(3, failed.ExitCode);
        Assert.Contains("to-stderr", failed.StandardError);
    }

    [Fact]
    public async Task PortForward_OnLoopback_ReachesThePodsPort()
    {
        var k = Kubectl();
        var ns = await Server.NamespaceAsync();
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: fwd
            spec:
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: {{{HttpdCommand}}}
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "fwd");
        var localPort = FreePort.Next();

        var info = new ProcessStartInfo(k.Binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "port-forward", "pod/fwd", "-n", ns, "--address", "127.0.0.1", $"{localPort}:8080" })
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["KUBECONFIG"] = Server.Kubeconfig;
        info.Environment["HOME"] = Path.GetDirectoryName(Server.Kubeconfig)!;
        var output = new StringBuilder();
        using var forward = Process.Start(info)!;
        forward.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        forward.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        forward.BeginOutputReadLine();
        forward.BeginErrorReadLine();
        try
        {
            string Output()
            {
                lock (output)
                {
                    return output.ToString();
                }
            }

            await Scenario.EventuallyAsync(() => Task.FromResult(Output().Contains($"Forwarding from 127.0.0.1:{localPort} -> 8080", StringComparison.Ordinal) || forward.HasExited),
                "kubectl port-forward to listen", seconds: 60);
            Assert.False(forward.HasExited, "kubectl port-forward exited: " + Output());

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            for (var i = 0; i < 2; i++)
            {
                Assert.Equal("fwd", (await http.GetStringAsync($"http://127.0.0.1:{localPort}/")).Trim());
            }

            Assert.Contains("Handling connection for " + localPort, Output());
        }
        finally
        {
            forward.Kill(entireProcessTree: true);
            await forward.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Cp_CopiesAFileOutOfThePod()
    {
        var k = Kubectl();
        var ns = await Server.NamespaceAsync();
        await k.OkWithInputAsync(SleeperPod("cp"), "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "cp");
        var content = "copied-" + Scenario.Suffix();
        await k.OkAsync("exec", "cp", "-n", ns, "--", "sh", "-c", $"mkdir -p /tmp/out && echo {content} > /tmp/out/data.txt && seq 1 2000 >> /tmp/out/data.txt");
        var local = Path.Combine(Path.GetTempPath(), "stevedore-e2e-cp-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await k.OkAsync("cp", $"{ns}/cp:/tmp/out/data.txt", local);

            var lines = File.ReadAllLines(local);
            Assert.Equal(2001, lines.Length);
            Assert.Equal(content, lines[0]);
            Assert.Equal("2000", lines[^1]);
        }
        finally
        {
            File.Delete(local);
        }
    }

    private static string SleeperPod(string name) => $$$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{{name}}}
        spec:
          containers:
          - name: c
            image: {{{Image}}}
            imagePullPolicy: IfNotPresent
            command: ["sleep", "3600"]
        """;

    private static async Task WaitReadyAsync(Kubectl k, string ns, string pod)
    {
        var result = await k.RunAsync(["wait", "pod/" + pod, "-n", ns, "--for=condition=Ready", "--timeout=150s"], null, TimeSpan.FromSeconds(170));
        if (result.ExitCode != 0)
        {
            var describe = await k.RunAsync("describe", "pod", pod, "-n", ns);
            Assert.Fail($"pod {ns}/{pod} not Ready ({result.ExitCode}): {result.Combined}\n{describe.Combined}");
        }
    }

    private static async Task<string> WaitReadyThenGetAsync(Kubectl k, string ns, string pod)
    {
        await WaitReadyAsync(k, ns, pod);
        return await k.OkAsync("get", "pod", pod, "-n", ns);
    }

    /// <summary>The messages of all events with <paramref name="reason"/> about <paramref name="name"/>, waiting until there is one.</summary>
    private static async Task<string> EventMessagesAsync(Kubectl k, string ns, string name, string reason)
    {
        var messages = "";
        await Scenario.EventuallyAsync(async () =>
        {
            messages = await k.OkAsync("get", "events", "-n", ns, "--field-selector", $"involvedObject.name={name},reason={reason}",
                "-o", """jsonpath={range .items[*]}{.message}{"\n"}{end}""");
            return messages.Length > 0;
        }, $"a {reason} event for {ns}/{name}", seconds: 120);
        return messages;
    }

    /// <summary>The container's environment as <c>env</c> prints it inside.</summary>
    private static async Task<Dictionary<string, string>> EnvAsync(Kubectl k, string ns, string pod) =>
        Scenario.Lines(await k.OkAsync("exec", pod, "-n", ns, "--", "env"))
            .Where(l => l.Contains('=', StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .GroupBy(f => f[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);

    private static string Base64UrlDecode(string part)
    {
        var padded = part.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
    }
}

/// <summary>
/// Every test that runs an agent-enabled server belongs here: only one may run on the machine (kubelet port
/// 10250, bridge stevedore0, /etc/stevedore/cni/net.d), and xunit never runs a collection's tests in parallel.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealPodCollection : ICollectionFixture<AgentServerFixture>
{
    public const string Name = "real-pods";
}
