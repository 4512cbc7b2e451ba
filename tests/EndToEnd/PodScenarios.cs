using System.Text;
using System.Text.Json.Nodes;
using EndToEnd.Infrastructure;

namespace EndToEnd;

/// <summary>
/// Real pods, end to end (issue 5's "must show"): the published <c>stevedore server</c> with its node agent (CNI pod
/// network, volumes, env, probes, hooks, the kubelet server), driven by real kubectl 1.32 and 1.27. The whole suite
/// runs twice: on the built-in engine (<see cref="RealPodScenarios"/>) and on Debian's containerd
/// (<see cref="ContainerdPodScenarios"/>). One agent-enabled server per collection (only one may run on the machine
/// at a time); every test works in namespaces of its own, deleted when it ends. Images are the local test images,
/// never pulled (<c>imagePullPolicy: IfNotPresent</c>). Pods get a short grace period unless the test is about
/// termination, because busybox's <c>sleep</c> as PID 1 ignores SIGTERM.
/// </summary>
public abstract class PodScenarios(AgentServer server) : IAsyncLifetime
{
    protected const string Image = "busybox:1.36";

    /// <summary>busybox httpd on :8080 serving /www, whose index.html holds the pod's hostname.</summary>
    private const string HttpdCommand = """["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]""";

    private static readonly string[] KubectlVersions = ["1.32", "1.27"];

    private readonly List<string> _namespaces = [];

    protected AgentServer Server { get; } = server;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Deletes the test's namespaces without waiting; the fixture waits for all pods to be gone before it stops the server.</summary>
    public async Task DisposeAsync()
    {
        if (_namespaces.Count > 0)
        {
            await Kubectl().RunAsync(["delete", "namespace", "--wait=false", "--ignore-not-found", .. _namespaces], null, TimeSpan.FromSeconds(60));
        }
    }

    [Fact]
    public async Task Deployment_OfThree_RunsReadyAndPodsReachEachOtherByIp()
    {
        var k = Kubectl();
        var ns = await NamespaceAsync();
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
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: web
                    image: {{{Image}}}
                    imagePullPolicy: IfNotPresent
                    command: {{{HttpdCommand}}}
                    readinessProbe:
                      tcpSocket: {port: 8080}
                      periodSeconds: 1
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
        Assert.Matches(@"web\s+3/3\s+3\s+3", await k.OkAsync("get", "deployment", "web", "-n", ns));

        // Each pod fetches its neighbour's page over the pod network; the page names the neighbour.
        // (busybox 1.35's wget crashes with -T, so the coreutils-style timeout bounds it instead.)
        for (var i = 0; i < pods.Count; i++)
        {
            var from = pods[i][0];
            var to = pods[(i + 1) % pods.Count];
            var page = await k.OkAsync("exec", "-n", ns, from, "--", "timeout", "20", "wget", "-qO-", $"http://{to[3]}:8080/");
            Assert.Equal(to[0], page.Trim());
        }
    }

    [Fact]
    public async Task ExecLivenessProbeFailure_RestartsContainer_WithUnhealthyAndKillingEvents_LogsPreviousShowsFirstRun()
    {
        var k = Kubectl();
        var ns = await NamespaceAsync();
        // Every start counts itself in an emptyDir (which outlives container restarts) and prints "run-N".
        var manifest = $$$"""
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
        Assert.Contains("Container c failed liveness probe, will be restarted", await EventMessagesAsync(k, ns, "live", "Killing"));
        await WaitReadyAsync(k, ns, "live");
        Assert.Matches(@"live\s+1/1\s+Running\s+[1-9]", await k.OkAsync("get", "pod", "live", "-n", ns));

        foreach (var version in KubectlVersions)
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
        var ns = await NamespaceAsync();
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: gate
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                readinessProbe:
                  exec: {command: ["cat", "/tmp/ready"]}
                  periodSeconds: 1
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");

        // Once the probe has failed (no /tmp/ready yet), the running pod must be reported not ready.
        Assert.Contains("Readiness probe failed", await EventMessagesAsync(k, ns, "gate", "Unhealthy"));
        await Scenario.EventuallyAsync(async () => await k.OkAsync("get", "pod", "gate", "-n", ns, "-o", "jsonpath={.status.phase}") == "Running",
            "the pod to run", () => k.OkAsync("describe", "pod", "gate", "-n", ns));
        Assert.Equal("False false", await k.OkAsync("get", "pod", "gate", "-n", ns, "-o",
            """jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.containerStatuses[0].ready}"""));
        Assert.Matches(@"gate\s+0/1\s+Running", await k.OkAsync("get", "pod", "gate", "-n", ns));

        await k.OkAsync("exec", "gate", "-n", ns, "--", "touch", "/tmp/ready");

        await WaitReadyAsync(k, ns, "gate");
        Assert.Equal("True true", await k.OkAsync("get", "pod", "gate", "-n", ns, "-o",
            """jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.containerStatuses[0].ready}"""));
    }

    [Fact]
    public async Task PostStartHook_FileItWritesExistsInTheContainer()
    {
        var k = Kubectl();
        var ns = await NamespaceAsync();
        // The app waits for the hook's file, so its log proves the hook ran inside the same container.
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: hooked
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "until [ -f /tmp/poststart ]; do sleep 0.1; done; echo app-saw-$(cat /tmp/poststart); exec sleep 3600"]
                lifecycle:
                  postStart:
                    exec: {command: ["sh", "-c", "echo hook-in-$(hostname) > /tmp/poststart"]}
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "hooked");

        Assert.Equal("hook-in-hooked", await k.OkAsync("exec", "hooked", "-n", ns, "--", "cat", "/tmp/poststart"));
        await Scenario.EventuallyAsync(async () => (await k.OkAsync("logs", "hooked", "-n", ns)).Trim() == "app-saw-hook-in-hooked",
            "the app to log the hook's file", () => k.OkAsync("logs", "hooked", "-n", ns));
    }

    [Fact]
    public async Task PreStopHook_RunsBeforeSigterm_WhenThePodIsDeleted()
    {
        var k = Kubectl();
        var ns = await NamespaceAsync();
        // The record lives on the host (hostPath), so it outlives the pod: the test reads the order afterwards.
        var record = Path.Combine(Server.Root, "prestop-" + Scenario.Suffix());
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: stopper
            spec:
              terminationGracePeriodSeconds: 30
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "trap 'echo sigterm >> /record/log; exit 0' TERM; echo started >> /record/log; while true; do sleep 0.2; done"]
                lifecycle:
                  preStop:
                    exec: {command: ["sh", "-c", "echo prestop >> /record/log"]}
                volumeMounts: [{name: record, mountPath: /record}]
              volumes: [{name: record, hostPath: {path: "{{{record}}}", type: DirectoryOrCreate}}]
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "stopper");
        var log = Path.Combine(record, "log");
        await Scenario.EventuallyAsync(() => Task.FromResult(File.Exists(log) && File.ReadAllText(log).Contains("started", StringComparison.Ordinal)),
            "the container to record its start");

        var deleted = await k.RunAsync(["delete", "pod", "stopper", "-n", ns, "--wait=true", "--timeout=90s"], null, TimeSpan.FromSeconds(120));
        Assert.True(deleted.ExitCode == 0, deleted.Combined);

        Assert.Equal(["started", "prestop", "sigterm"], File.ReadAllLines(log));
    }

    [Fact]
    public async Task InitContainer_OutputIsVisibleToTheAppContainerThroughEmptyDir()
    {
        var k = Kubectl();
        var ns = await NamespaceAsync();
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: init
            spec:
              terminationGracePeriodSeconds: 1
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
    public async Task Sidecar_InitContainerWithRestartAlways_StartsBeforeTheNextInitAndKeepsRunningBesideTheApp()
    {
        var k = Kubectl();
        var ns = await NamespaceAsync();
        // The sidecar beats into a shared emptyDir; the regular init container waits for the first beat (so it
        // only completes if the sidecar was started before it), and the app reads the beats later.
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: sidecar
            spec:
              terminationGracePeriodSeconds: 1
              initContainers:
              - name: beat
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                restartPolicy: Always
                command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /shared/beat.new; mv /shared/beat.new /shared/beat; sleep 0.5; done"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              - name: setup
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "until [ -f /shared/beat ]; do sleep 0.1; done; echo setup-saw-beat > /shared/setup"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              containers:
              - name: app
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              volumes: [{name: shared, emptyDir: {}}]
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "sidecar");

        Assert.Equal("setup-saw-beat", await k.OkAsync("exec", "sidecar", "-n", ns, "-c", "app", "--", "cat", "/shared/setup"));
        var firstBeat = int.Parse(await k.OkAsync("exec", "sidecar", "-n", ns, "-c", "app", "--", "cat", "/shared/beat"), System.Globalization.CultureInfo.InvariantCulture);
        await Scenario.EventuallyAsync(async () =>
                int.Parse(await k.OkAsync("exec", "sidecar", "-n", ns, "-c", "app", "--", "cat", "/shared/beat"), System.Globalization.CultureInfo.InvariantCulture) > firstBeat + 2,
            "the sidecar to keep beating beside the app");

        const string statuses = """jsonpath={range .status.initContainerStatuses[*]}{.name} {.state.running.startedAt}{.state.terminated.reason} {.restartCount} {.started} {.ready}{"\n"}{end}""";
        var init = Scenario.Lines(await k.OkAsync("get", "pod", "sidecar", "-n", ns, "-o", statuses)).Select(l => l.Split(' ')).ToDictionary(f => f[0]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT", init["beat"][1]);
        Assert.Equal(["0", "true", "true"], init["beat"][2..]);
        Assert.Equal("Completed", init["setup"][1]);
        Assert.Equal("Running 0", await k.OkAsync("get", "pod", "sidecar", "-n", ns, "-o",
            """jsonpath={.status.phase} {.status.containerStatuses[?(@.name=="app")].restartCount}"""));
    }

    [Fact]
    public async Task Env_FromConfigMapAndSecret_KeyRefsAndEnvFrom()
    {
        var k = Kubectl();
        var ns = await NamespaceAsync();
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
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                env:
                - {name: COLOUR, valueFrom: {configMapKeyRef: {name: settings, key: colour} } }
                - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password} } }
                - {name: GREETING, value: "colour is $(COLOUR)"}
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
        Assert.Equal("colour is " + colour, env["GREETING"]);
        Assert.Equal(colour, env["colour"]);
        Assert.Equal("large", env["SIZE"]);
        Assert.Equal(password, env["S_password"]);
        Assert.Equal("t0k3n", env["S_TOKEN"]);
    }

    [Fact]
    public async Task DownwardApi_VolumeAndEnv_HoldThePodsFieldsAndResources()
    {
        var k = Kubectl();
        var ns = await NamespaceAsync();
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: downward
              labels: {tier: backend, zone: z1}
              annotations: {build: b-42}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                resources:
                  requests: {cpu: 100m, memory: 32Mi}
                  limits: {cpu: 500m, memory: 64Mi}
                env:
                - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name} } }
                - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace} } }
                - {name: POD_UID, valueFrom: {fieldRef: {fieldPath: metadata.uid} } }
                - {name: NODE_NAME, valueFrom: {fieldRef: {fieldPath: spec.nodeName} } }
                - {name: SERVICE_ACCOUNT, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName} } }
                - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP} } }
                - {name: HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP} } }
                - {name: TIER, valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"} } }
                - {name: MEMORY_LIMIT_MI, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi} } }
                - {name: CPU_REQUEST_M, valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m} } }
                volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
              volumes:
              - name: podinfo
                downwardAPI:
                  items:
                  - {path: name, fieldRef: {fieldPath: metadata.name} }
                  - {path: labels, fieldRef: {fieldPath: metadata.labels} }
                  - {path: annotations, fieldRef: {fieldPath: metadata.annotations} }
                  - {path: cpu_limit_m, resourceFieldRef: {containerName: c, resource: limits.cpu, divisor: 1m} }
                  - {path: memory_request, resourceFieldRef: {containerName: c, resource: requests.memory} }
            """;
        await k.OkWithInputAsync(manifest, "create", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "downward");
        var fields = (await k.OkAsync("get", "pod", "downward", "-n", ns, "-o", "jsonpath={.metadata.uid} {.status.podIP}")).Split(' ');

        var env = await EnvAsync(k, ns, "downward");
        Assert.Equal("downward", env["POD_NAME"]);
        Assert.Equal(ns, env["POD_NAMESPACE"]);
        Assert.Equal(fields[0], env["POD_UID"]);
        Assert.Equal(Server.NodeName, env["NODE_NAME"]);
        Assert.Equal("default", env["SERVICE_ACCOUNT"]);
        Assert.Equal(fields[1], env["POD_IP"]);
        Assert.Equal("127.0.0.1", env["HOST_IP"]);
        Assert.Equal("backend", env["TIER"]);
        Assert.Equal("64", env["MEMORY_LIMIT_MI"]);
        Assert.Equal("100", env["CPU_REQUEST_M"]);

        Assert.Equal("downward", await k.OkAsync("exec", "downward", "-n", ns, "--", "cat", "/etc/podinfo/name"));
        Assert.Equal(["tier=\"backend\"", "zone=\"z1\""], Scenario.Lines(await k.OkAsync("exec", "downward", "-n", ns, "--", "cat", "/etc/podinfo/labels")));
        Assert.Contains("build=\"b-42\"", Scenario.Lines(await k.OkAsync("exec", "downward", "-n", ns, "--", "cat", "/etc/podinfo/annotations")));
        Assert.Equal("500", await k.OkAsync("exec", "downward", "-n", ns, "--", "cat", "/etc/podinfo/cpu_limit_m"));
        Assert.Equal((32 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), await k.OkAsync("exec", "downward", "-n", ns, "--", "cat", "/etc/podinfo/memory_request"));
    }

    [Fact]
    public async Task ConfigMapVolume_MountedFileUpdatesInPlaceAfterKubectlEdit()
    {
        var k = Kubectl();
        var ns = await NamespaceAsync();
        var before = "v1-" + Scenario.Suffix();
        var after = "v2-" + Scenario.Suffix();
        await k.OkAsync("create", "configmap", "conf", "-n", ns, "--from-literal=setting=" + before);
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: conf
            spec:
              terminationGracePeriodSeconds: 1
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
        // The atomic-update layout: the key is a symlink through ..data, which is swapped as a whole.
        Assert.Equal("..data/setting", await k.OkAsync("exec", "conf", "-n", ns, "--", "readlink", "/etc/conf/setting"));

        // kubectl edit with an "editor" that rewrites the value in the YAML kubectl hands it.
        var edited = await k.RunAsync(["edit", "configmap", "conf", "-n", ns], null, TimeSpan.FromSeconds(60),
            new Dictionary<string, string> { ["KUBE_EDITOR"] = $"sed -i s/{before}/{after}/" });
        Assert.True(edited.ExitCode == 0, edited.Combined);
        Assert.Contains("configmap/conf edited", edited.StandardOutput);

        await Scenario.EventuallyAsync(async () => await k.OkAsync("exec", "conf", "-n", ns, "--", "cat", "/etc/conf/setting") == after,
            "the mounted file to show the ConfigMap's new value", seconds: 150);
        Assert.Equal("..data/setting", await k.OkAsync("exec", "conf", "-n", ns, "--", "readlink", "/etc/conf/setting"));
        Assert.Equal("0", await k.OkAsync("get", "pod", "conf", "-n", ns, "-o", "jsonpath={.status.containerStatuses[0].restartCount}"));
    }

    [Fact]
    public async Task ServiceAccountTokens_DefaultAndProjectedWithAudience_AreJwtsTheApiServerJudgesByAudience()
    {
        var k = Kubectl();
        var ns = await NamespaceAsync();
        const string audience = "vault.e2e.test";
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: sa
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
                volumeMounts: [{name: vault, mountPath: /var/run/secrets/tokens}]
              volumes:
              - name: vault
                projected:
                  sources:
                  - serviceAccountToken: {path: vault-token, audience: {{{audience}}}, expirationSeconds: 3600}
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "sa");
        var uid = await k.OkAsync("get", "pod", "sa", "-n", ns, "-o", "jsonpath={.metadata.uid}");
        const string dir = "/var/run/secrets/kubernetes.io/serviceaccount";

        var defaultToken = (await k.OkAsync("exec", "sa", "-n", ns, "--", "cat", dir + "/token")).Trim();
        var defaultClaims = JwtClaims(defaultToken);
        Assert.Equal($"system:serviceaccount:{ns}:default", defaultClaims["sub"]!.GetValue<string>());
        Assert.Equal(ns, await k.OkAsync("exec", "sa", "-n", ns, "--", "cat", dir + "/namespace"));
        Assert.Contains("BEGIN CERTIFICATE", await k.OkAsync("exec", "sa", "-n", ns, "--", "cat", dir + "/ca.crt"));

        var vaultToken = (await k.OkAsync("exec", "sa", "-n", ns, "--", "cat", "/var/run/secrets/tokens/vault-token")).Trim();
        var claims = JwtClaims(vaultToken);
        Assert.Equal([audience], Audiences(claims));
        Assert.Equal($"system:serviceaccount:{ns}:default", claims["sub"]!.GetValue<string>());
        Assert.Equal(3600, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());
        // Bound to the pod, as TokenRequest binds it.
        Assert.Equal(uid, claims["kubernetes.io"]!["pod"]!["uid"]!.GetValue<string>());
        Assert.DoesNotContain(audience, Audiences(defaultClaims));

        // The API server takes the default token (its own audience) and refuses the one meant for someone else.
        var whoami = await WithTokenAsync(defaultToken, "auth", "whoami");
        Assert.True(whoami.ExitCode == 0, whoami.Combined);
        Assert.Contains($"system:serviceaccount:{ns}:default", whoami.StandardOutput);
        var refused = await WithTokenAsync(vaultToken, "auth", "whoami");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Unauthorized", refused.StandardError);
    }

    [Fact]
    public async Task MemoryLimitedContainer_OverItsLimit_EndsOomKilled()
    {
        var k = Kubectl();
        var ns = await NamespaceAsync();
        // tail keeps the whole newline-free stream in memory until the cgroup's limit kills it.
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: hungry
            spec:
              restartPolicy: Never
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["tail", "/dev/zero"]
                resources:
                  limits: {memory: 32Mi, cpu: 500m}
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");

        await Scenario.EventuallyAsync(async () => await k.OkAsync("get", "pod", "hungry", "-n", ns, "-o", "jsonpath={.status.phase}") == "Failed",
            "the pod to fail", () => k.OkAsync("describe", "pod", "hungry", "-n", ns), seconds: 120);
        Assert.Equal("OOMKilled 137 Guaranteed", await k.OkAsync("get", "pod", "hungry", "-n", ns, "-o",
            "jsonpath={.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode} {.status.qosClass}"));
        Assert.Matches(@"hungry\s+0/1\s+OOMKilled\s+0", await k.OkAsync("get", "pod", "hungry", "-n", ns));
    }

    [Fact]
    public async Task LogsFollow_WithKubectl132And127_StreamsLinesWrittenLaterAndEndsWithTheContainer()
    {
        var ns = await NamespaceAsync();
        // Each pod prints a line, waits for a go signal, prints two more and exits: the later lines can only reach
        // a follower that is still attached, and the stream ends when the container does.
        foreach (var version in KubectlVersions)
        {
            var name = "follow-" + version.Replace(".", "", StringComparison.Ordinal);
            var manifest = $$$"""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: {{{name}}}
                spec:
                  restartPolicy: Never
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: c
                    image: {{{Image}}}
                    imagePullPolicy: IfNotPresent
                    command: ["sh", "-c", "echo first; until [ -f /tmp/go ]; do sleep 0.1; done; echo second; sleep 0.5; echo third"]
                """;
            await Kubectl().OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");
        }

        foreach (var version in KubectlVersions)
        {
            var k = Kubectl(version);
            var name = "follow-" + version.Replace(".", "", StringComparison.Ordinal);
            await WaitReadyAsync(k, ns, name);
            await using var follow = new KubectlProcess(k, "logs", "-f", name, "-n", ns);
            await follow.WaitForOutputAsync("first");
            Assert.DoesNotContain("second", follow.Output);

            await k.OkAsync("exec", name, "-n", ns, "--", "touch", "/tmp/go");

            Assert.Equal(0, await follow.WaitForExitAsync());
            Assert.Equal(["first", "second", "third"], Scenario.Lines(follow.Output));
        }
    }

    [Fact]
    public async Task LogRotation_ChattyContainer_RotatesKeepsMaxFilesAndLogsFollowLosesNoLineAcrossRotations()
    {
        var ns = await NamespaceAsync();
        var k = Kubectl();
        // ~160-byte numbered lines every few milliseconds: past the agent's 64Ki limit between two of its 10 s checks.
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: chatty
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "i=0; pad=$(printf '%0150d' 0); while [ ! -f /tmp/stop ]; do echo \"line $i $pad\"; i=$((i+1)); usleep 4000; done; echo done"]
            """;
        await k.OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "chatty");
        var uid = await k.OkAsync("get", "pod", "chatty", "-n", ns, "-o", "jsonpath={.metadata.uid}");
        var logDir = Path.Combine(AgentServer.PodLogsDir, $"{ns}_chatty_{uid}", "c");

        await using var follow = new KubectlProcess(k, "logs", "-f", "chatty", "-n", ns);
        await follow.WaitForOutputAsync("line 0 ");

        // Rotated files are named 0.log.<timestamp>[.gz]; three different names mean three rotations, so the oldest
        // has already been deleted to respect the file limit.
        var rotatedNames = new HashSet<string>();
        var mostFiles = 0;
        await Scenario.EventuallyAsync(() =>
        {
            var files = Directory.Exists(logDir) ? Directory.GetFiles(logDir).Select(Path.GetFileName).ToList() : [];
            mostFiles = Math.Max(mostFiles, files.Count);
            rotatedNames.UnionWith(files.Where(f => f!.StartsWith("0.log.", StringComparison.Ordinal)).Select(f => f!.Replace(".gz", "", StringComparison.Ordinal)));
            return Task.FromResult(rotatedNames.Count >= 3);
        }, "three rotations of the container's log", () => Task.FromResult(string.Join(", ", rotatedNames) + " in " + logDir), seconds: 150);

        var onDisk = Directory.GetFiles(logDir).Select(Path.GetFileName).Order().ToList();
        Assert.True(onDisk.Count <= AgentServer.ContainerLogMaxFiles, "more files than --container-log-max-files: " + string.Join(", ", onDisk));
        Assert.True(mostFiles <= AgentServer.ContainerLogMaxFiles, $"{mostFiles} files at once in {logDir}");
        Assert.Contains("0.log", onDisk);
        Assert.Contains(onDisk, f => f!.EndsWith(".gz", StringComparison.Ordinal)); // older rotated files are compressed

        await k.OkAsync("exec", "chatty", "-n", ns, "--", "touch", "/tmp/stop");
        Assert.Equal(0, await follow.WaitForExitAsync());

        // The follower saw every line exactly once, in order, across all the rotations, and the last one.
        var lines = Scenario.Lines(follow.Output);
        Assert.Equal("done", lines[^1]);
        var numbers = lines[..^1].Select(l => int.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, numbers.Count), numbers);
        Assert.True(numbers.Count * 160 > 3 * 64 * 1024, $"only {numbers.Count} lines: too few to have filled three files");
    }

    [Theory]
    [InlineData("1.32")]
    [InlineData("1.27")]
    public async Task Exec_RunsInTheContainer_PassesStdinAndExitCode(string kubectlVersion)
    {
        var k = Kubectl(kubectlVersion);
        var ns = await NamespaceAsync();
        await Kubectl().OkWithInputAsync(SleeperPod("shell"), "apply", "-n", ns, "-f", "-");
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
    public async Task PortForward_WithKubectl132And127_ReachesThePodsPortOnLoopback()
    {
        var ns = await NamespaceAsync();
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: fwd
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: {{{HttpdCommand}}}
                readinessProbe:
                  tcpSocket: {port: 8080}
                  periodSeconds: 1
            """;
        await Kubectl().OkWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(Kubectl(), ns, "fwd");

        foreach (var version in KubectlVersions)
        {
            var localPort = FreePort.Next();
            await using var forward = new KubectlProcess(Kubectl(version), "port-forward", "pod/fwd", "-n", ns, "--address", "127.0.0.1", $"{localPort}:8080");
            await forward.WaitForOutputAsync($"Forwarding from 127.0.0.1:{localPort} -> 8080");

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            for (var i = 0; i < 2; i++)
            {
                Assert.Equal("fwd", (await http.GetStringAsync($"http://127.0.0.1:{localPort}/")).Trim());
            }

            await forward.WaitForOutputAsync("Handling connection for " + localPort);
        }
    }

    [Fact]
    public async Task Cp_WithKubectl132And127_CopiesFilesIntoAndOutOfThePod()
    {
        var ns = await NamespaceAsync();
        await Kubectl().OkWithInputAsync(SleeperPod("cp"), "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(Kubectl(), ns, "cp");
        var local = Path.Combine(Path.GetTempPath(), "stevedore-e2e-cp-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(local);
        try
        {
            foreach (var version in KubectlVersions)
            {
                var k = Kubectl(version);
                var content = "copied-" + Scenario.Suffix();
                var upload = Path.Combine(local, $"in-{version}.txt");
                await File.WriteAllLinesAsync(upload, [content, .. Enumerable.Range(1, 2000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);

                await k.OkAsync("cp", upload, $"{ns}/cp:/tmp/in.txt");
                Assert.Equal(content, await k.OkAsync("exec", "cp", "-n", ns, "--", "head", "-n", "1", "/tmp/in.txt"));
                await k.OkAsync("exec", "cp", "-n", ns, "--", "sh", "-c", "mkdir -p /tmp/out && cp /tmp/in.txt /tmp/out/data.txt && echo from-pod >> /tmp/out/data.txt");

                var download = Path.Combine(local, $"out-{version}.txt");
                await k.OkAsync("cp", $"{ns}/cp:/tmp/out/data.txt", download);

                var lines = await File.ReadAllLinesAsync(download);
                Assert.Equal(2002, lines.Length);
                Assert.Equal(content, lines[0]);
                Assert.Equal(["2000", "from-pod"], lines[^2..]);
            }
        }
        finally
        {
            Directory.Delete(local, recursive: true);
        }
    }

    [Fact]
    public async Task StaticPod_FromTheManifestsFolder_AppearsAsMirrorPodAndGoesWithItsFile()
    {
        var k = Kubectl();
        var ns = await NamespaceAsync();
        var name = "static-" + Scenario.Suffix();
        var mirror = $"{name}-{Server.NodeName}";
        var manifestFile = Path.Combine(Server.ManifestsDir, name + ".yaml");
        await File.WriteAllTextAsync(manifestFile, $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: {{{name}}}
              namespace: {{{ns}}}
              labels: {role: static}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
            """);
        try
        {
            await Scenario.EventuallyAsync(async () => (await k.RunAsync("get", "pod", mirror, "-n", ns)).ExitCode == 0,
                "the mirror pod to appear", () => Task.FromResult(Server.Log), seconds: 120);
            await WaitReadyAsync(k, ns, mirror);

            var fields = (await k.OkAsync("get", "pod", mirror, "-n", ns, "-o",
                """jsonpath={.metadata.annotations.kubernetes\.io/config\.mirror} {.metadata.annotations.kubernetes\.io/config\.source} {.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].name} {.spec.nodeName} {.metadata.labels.role}""")).Split(' ');
            Assert.Matches("^[0-9a-f]{32}$", fields[0]);
            Assert.Equal(["file", "Node", Server.NodeName, Server.NodeName, "static"], fields[1..]);
            Assert.Equal(mirror, await k.OkAsync("exec", mirror, "-n", ns, "--", "hostname"));
            var containerId = await k.OkAsync("get", "pod", mirror, "-n", ns, "-o", "jsonpath={.status.containerStatuses[0].containerID}");

            // Deleting the mirror does not stop the static pod: the agent creates the mirror again, same container.
            await k.OkAsync("delete", "pod", mirror, "-n", ns, "--wait=false");
            await Scenario.EventuallyAsync(async () =>
                    await k.RunAsync("get", "pod", mirror, "-n", ns, "-o", "jsonpath={.status.containerStatuses[0].containerID}") is { ExitCode: 0 } again
                    && again.StandardOutput.Trim() == containerId
                    && (await k.OkAsync("get", "pod", mirror, "-n", ns, "-o", "jsonpath={.metadata.deletionTimestamp}")).Length == 0,
                "the mirror pod to come back with the same container", () => k.OkAsync("get", "pod", mirror, "-n", ns, "-o", "yaml"));

            File.Delete(manifestFile);
            await Scenario.EventuallyAsync(async () => (await k.RunAsync("get", "pod", mirror, "-n", ns)).ExitCode != 0,
                "the mirror pod to go with its manifest", seconds: 120);
        }
        finally
        {
            File.Delete(manifestFile);
        }
    }

    [Fact]
    public async Task AgentRestart_SameDataDir_RestartsNothingAndKeepsSyncingThePods()
    {
        var k = Kubectl();
        var ns = await NamespaceAsync();
        // Every kind of container the agent must re-adopt: a finished init container, a sidecar, an app with
        // liveness and readiness probes. The app notes a random boot ID: a new container would have another.
        var manifest = $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: steady
            spec:
              terminationGracePeriodSeconds: 1
              initContainers:
              - name: setup
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "echo done > /shared/setup"]
                volumeMounts: [{name: shared, mountPath: /shared}]
              - name: helper
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                restartPolicy: Always
                command: ["sleep", "3600"]
              containers:
              - name: app
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "cat /proc/sys/kernel/random/uuid > /tmp/boot; exec sleep 3600"]
                livenessProbe:
                  exec: {command: ["test", "-f", "/tmp/boot"]}
                  periodSeconds: 1
                readinessProbe:
                  exec: {command: ["test", "-f", "/shared/setup"]}
                  periodSeconds: 1
                volumeMounts: [{name: shared, mountPath: /shared}]
              volumes: [{name: shared, emptyDir: {}}]
            """;
        await k.OkWithInputAsync(manifest, "create", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "steady");
        const string state = """jsonpath={range .status.initContainerStatuses[*]}{.name}={.containerID}/{.restartCount} {end}{range .status.containerStatuses[*]}{.name}={.containerID}/{.restartCount} {end}{.status.podIP}""";
        var before = await k.OkAsync("get", "pod", "steady", "-n", ns, "-o", state);
        Assert.Matches(@"^setup=\S+://\w+/0 helper=\S+://\w+/0 app=\S+://\w+/0 10\.42\.", before);
        var boot = await k.OkAsync("exec", "steady", "-n", ns, "-c", "app", "--", "cat", "/tmp/boot");

        await Server.RestartAsync();

        // The new agent has adopted the app: its readiness probe runs again and its result reaches the pod's status.
        Assert.Equal("done", await k.OkAsync("exec", "steady", "-n", ns, "-c", "app", "--", "cat", "/shared/setup"));
        await k.OkAsync("exec", "steady", "-n", ns, "-c", "app", "--", "rm", "/shared/setup");
        await Scenario.EventuallyAsync(async () => await k.OkAsync("get", "pod", "steady", "-n", ns, "-o", """jsonpath={.status.conditions[?(@.type=="Ready")].status}""") == "False",
            "the restarted agent to report the failing readiness probe", () => Task.FromResult(Server.Log), seconds: 120);
        await k.OkAsync("exec", "steady", "-n", ns, "-c", "app", "--", "sh", "-c", "echo done > /shared/setup");
        await WaitReadyAsync(k, ns, "steady");

        Assert.Equal(before, await k.OkAsync("get", "pod", "steady", "-n", ns, "-o", state));
        Assert.Equal(boot, await k.OkAsync("exec", "steady", "-n", ns, "-c", "app", "--", "cat", "/tmp/boot"));
        Assert.Empty(await k.OkAsync("get", "events", "-n", ns, "--field-selector", "involvedObject.name=steady,reason=Killing", "-o", "name"));
    }

    protected Kubectl Kubectl(string version = "1.32") => Server.Kubectl(version);

    protected async Task<string> NamespaceAsync()
    {
        var ns = await Server.NamespaceAsync();
        _namespaces.Add(ns);
        return ns;
    }

    /// <summary>Runs kubectl 1.32 authenticated by <paramref name="token"/> only (no client certificate).</summary>
    private Task<ProcessResult> WithTokenAsync(string token, params string[] arguments)
    {
        var empty = Path.Combine(Server.Root, "empty-kubeconfig-" + Scenario.Suffix());
        File.WriteAllText(empty, "apiVersion: v1\nkind: Config\n");
        return Kubectl().RunAsync(
            [
                "--kubeconfig", empty, "--server", $"https://127.0.0.1:{Server.Port}", "--certificate-authority", Path.Combine(Server.ServerDataDir, "tls", "ca.crt"),
                "--token", token, .. arguments,
            ], null);
    }

    private static string SleeperPod(string name) => $$$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{{name}}}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: c
            image: {{{Image}}}
            imagePullPolicy: IfNotPresent
            command: ["sleep", "3600"]
        """;

    protected static async Task WaitReadyAsync(Kubectl k, string ns, string pod)
    {
        var result = await k.RunAsync(["wait", "pod/" + pod, "-n", ns, "--for=condition=Ready", "--timeout=150s"], null, TimeSpan.FromSeconds(170));
        if (result.ExitCode != 0)
        {
            var describe = await k.RunAsync("describe", "pod", pod, "-n", ns);
            Assert.Fail($"pod {ns}/{pod} not Ready ({result.ExitCode}): {result.Combined}\n{describe.Combined}");
        }
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
        }, $"a {reason} event for {ns}/{name}", () => k.OkAsync("describe", "pod", name, "-n", ns), seconds: 120);
        return messages;
    }

    /// <summary>The container's environment as <c>env</c> prints it inside.</summary>
    private static async Task<Dictionary<string, string>> EnvAsync(Kubectl k, string ns, string pod) =>
        Scenario.Lines(await k.OkAsync("exec", pod, "-n", ns, "--", "env"))
            .Where(l => l.Contains('=', StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .GroupBy(f => f[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);

    /// <summary>The claims of a compact JWS, after checking it has the three base64url parts and a signing algorithm.</summary>
    private static JsonNode JwtClaims(string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.All(parts, p => Assert.Matches("^[A-Za-z0-9_-]+$", p));
        var algorithm = JsonNode.Parse(Base64UrlDecode(parts[0]))!["alg"]!.GetValue<string>();
        Assert.Matches("^(RS|ES|PS)(256|384|512)$", algorithm);
        return JsonNode.Parse(Base64UrlDecode(parts[1]))!;
    }

    private static List<string> Audiences(JsonNode claims) => claims["aud"] switch
    {
        JsonArray list => [.. list.Select(a => a!.GetValue<string>())],
        JsonValue one => [one.GetValue<string>()],
        _ => [],
    };

    private static string Base64UrlDecode(string part)
    {
        var padded = part.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
    }
}

/// <summary>The pod suite on the built-in engine (runc containers through its CRI server).</summary>
[Collection(RealPodCollection.Name)]
public sealed class RealPodScenarios(AgentServerFixture cluster) : PodScenarios(cluster.Server);

/// <summary>
/// Every test that runs an agent-enabled server belongs here: only one may run on the machine (kubelet port
/// 10250, bridge stevedore0, /etc/stevedore/cni/net.d), and xunit never runs a collection's tests in parallel.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealPodCollection : ICollectionFixture<AgentServerFixture>
{
    public const string Name = "real-pods";
}
