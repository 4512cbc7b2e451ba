using System.Diagnostics;
using EndToEnd.Infrastructure;

namespace EndToEnd;

/// <summary>
/// What a kubectl user does against a fresh Stevedore server, driven by a real kubectl release.
/// Derived once per kubectl version and per datastore; each test works in its own namespace.
/// </summary>
public abstract class KubectlScenarios(StevedoreServer server, string kubectlVersion)
{
    protected Kubectl Kubectl { get; } = server.Kubectl(kubectlVersion);

    private static string Deployment(string name, int replicas = 3, string image = "busybox:1.36") => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{name}}
          labels: {app: {{name}}}
        spec:
          replicas: {{replicas}}
          selector:
            matchLabels: {app: {{name}}}
          template:
            metadata:
              labels: {app: {{name}}}
            spec:
              containers:
              - name: web
                image: {{image}}
                command: ["httpd", "-f", "-p", "8080"]
                ports:
                - containerPort: 8080
        """;

    private async Task<string> NamespaceAsync()
    {
        var name = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        await Kubectl.OkWithInputAsync($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n", "apply", "-f", "-");
        return name;
    }

    [Fact]
    public async Task Discovery_ApiResourcesVersionsAndVersion_ListBuiltIns()
    {
        var resources = await Kubectl.OkAsync("api-resources");
        Assert.Matches(@"deployments\s+deploy\s+apps/v1\s+true\s+Deployment", resources);
        Assert.Matches(@"namespaces\s+ns\s+v1\s+false\s+Namespace", resources);
        Assert.Matches(@"horizontalpodautoscalers\s+hpa\s+autoscaling/v2\s+true\s+HorizontalPodAutoscaler", resources);

        var versions = await Kubectl.OkAsync("api-versions");
        foreach (var gv in new[] { "v1", "apps/v1", "batch/v1", "rbac.authorization.k8s.io/v1", "coordination.k8s.io/v1", "apiextensions.k8s.io/v1" })
        {
            Assert.Contains(gv + "\n", versions);
        }

        var version = System.Text.Json.Nodes.JsonNode.Parse(await Kubectl.OkAsync("version", "-o", "json"))!;
        Assert.StartsWith("v1.33.0", version["serverVersion"]!["gitVersion"]!.ToString());
    }

    [Fact]
    public async Task CreateGetDescribe_Deployment_ShowsTableWideYamlJsonpath()
    {
        var ns = await NamespaceAsync();
        Assert.Contains("deployment.apps/web created", await Kubectl.OkWithInputAsync(Deployment("web"), "create", "-n", ns, "-f", "-"));

        // The controllers create a ReplicaSet of 3 pods; with --disable-agent no node exists, so
        // the pods stay Pending: 3 up to date, none ready or available.
        await Kubectl.OkAsync("wait", "deploy/web", "-n", ns, "--for=jsonpath={.status.updatedReplicas}=3", "--timeout=60s");
        var table = await Kubectl.OkAsync("get", "deployments", "-n", ns);
        Assert.Matches(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE", table);
        Assert.Matches(@"web\s+0/3\s+3\s+0\s+\d+s", table);
        Assert.Matches(@"web-[a-z0-9]+\s+3\s+3\s+0\s+\d+s", await Kubectl.OkAsync("get", "replicasets", "-n", ns));
        var pods = await Kubectl.OkAsync("get", "pods", "-n", ns, "--no-headers");
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(pods, @"web-[a-z0-9]+-[a-z0-9]{5}\s+0/1\s+Pending").Count);
        await Kubectl.OkAsync("wait", "pods", "--all", "-n", ns, "--for=condition=PodScheduled=false", "--timeout=60s");

        var wide = await Kubectl.OkAsync("get", "deploy", "web", "-n", ns, "-o", "wide");
        Assert.Matches(@"CONTAINERS\s+IMAGES\s+SELECTOR", wide);
        Assert.Matches(@"web\s+busybox:1\.36\s+app=web", wide);

        var yaml = await Kubectl.OkAsync("get", "deploy", "web", "-n", ns, "-o", "yaml");
        Assert.Contains("kind: Deployment", yaml);
        Assert.Contains("revisionHistoryLimit: 10", yaml);
        Assert.Contains("maxSurge: 25%", yaml);

        Assert.Equal("3", await Kubectl.OkAsync("get", "deploy", "web", "-n", ns, "-o", "jsonpath={.spec.replicas}"));

        var describe = await Kubectl.OkAsync("describe", "deployment", "web", "-n", ns);
        Assert.Matches(@"Replicas:\s+3 desired", describe);
        Assert.Matches(@"StrategyType:\s+RollingUpdate", describe);
    }

    [Fact]
    public async Task Apply_ThreeTimes_CreatedConfiguredUnchanged()
    {
        var ns = await NamespaceAsync();
        Assert.Contains("deployment.apps/web created", await Kubectl.OkWithInputAsync(Deployment("web"), "apply", "-n", ns, "-f", "-"));
        Assert.Contains("deployment.apps/web configured", await Kubectl.OkWithInputAsync(Deployment("web", replicas: 4), "apply", "-n", ns, "-f", "-"));
        Assert.Contains("deployment.apps/web unchanged", await Kubectl.OkWithInputAsync(Deployment("web", replicas: 4), "apply", "-n", ns, "-f", "-"));
        Assert.Equal("4", await Kubectl.OkAsync("get", "deploy", "web", "-n", ns, "-o", "jsonpath={.spec.replicas}"));
    }

    [Fact]
    public async Task ApplyServerSide_ConflictWithOtherManager_FailsUntilForced()
    {
        var ns = await NamespaceAsync();
        Assert.Contains("serverside-applied", await Kubectl.OkWithInputAsync(Deployment("ssa"), "apply", "--server-side", "-n", ns, "-f", "-"));
        await Kubectl.OkAsync("patch", "deploy", "ssa", "-n", ns, "--type=merge", "-p", """{"spec":{"replicas":5}}""");

        var conflict = await Kubectl.RunAsync(["apply", "--server-side", "-n", ns, "-f", "-"], Deployment("ssa", replicas: 2));
        Assert.NotEqual(0, conflict.ExitCode);
        Assert.Contains("conflict", conflict.Combined);
        Assert.Contains(".spec.replicas", conflict.Combined);
        Assert.Equal("5", await Kubectl.OkAsync("get", "deploy", "ssa", "-n", ns, "-o", "jsonpath={.spec.replicas}"));

        await Kubectl.OkWithInputAsync(Deployment("ssa", replicas: 2), "apply", "--server-side", "--force-conflicts", "-n", ns, "-f", "-");
        Assert.Equal("2", await Kubectl.OkAsync("get", "deploy", "ssa", "-n", ns, "-o", "jsonpath={.spec.replicas}"));
        var managers = await Kubectl.OkAsync("get", "deploy", "ssa", "-n", ns, "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].manager}");
        Assert.Contains("kubectl", managers);
    }

    [Fact]
    public async Task Patch_StrategicMergeJson_TreatContainersDifferently()
    {
        var ns = await NamespaceAsync();
        await Kubectl.OkWithInputAsync(Deployment("p"), "create", "-n", ns, "-f", "-");
        string Names() => "jsonpath={.spec.template.spec.containers[*].name}";

        await Kubectl.OkAsync("patch", "deploy", "p", "-n", ns, "-p", """{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}""");
        Assert.Equal("web sidecar", await Kubectl.OkAsync("get", "deploy", "p", "-n", ns, "-o", Names()));

        await Kubectl.OkAsync("patch", "deploy", "p", "-n", ns, "--type=json", "-p", """[{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"third","image":"busybox"}}]""");
        Assert.Equal("web sidecar third", await Kubectl.OkAsync("get", "deploy", "p", "-n", ns, "-o", Names()));

        await Kubectl.OkAsync("patch", "deploy", "p", "-n", ns, "--type=merge", "-p", """{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"busybox"}]}}}}""");
        Assert.Equal("only", await Kubectl.OkAsync("get", "deploy", "p", "-n", ns, "-o", Names()));
    }

    [Fact]
    public async Task Replace_WithStaleResourceVersion_Conflicts()
    {
        var ns = await NamespaceAsync();
        await Kubectl.OkWithInputAsync(Deployment("r"), "create", "-n", ns, "-f", "-");
        // Let the deployment controller finish its writes first, so only our own replace makes the copy stale.
        await Kubectl.OkAsync("wait", "deploy/r", "-n", ns, "--for=jsonpath={.status.updatedReplicas}=3", "--timeout=60s");
        var current = await Kubectl.OkAsync("get", "deploy", "r", "-n", ns, "-o", "yaml");
        Assert.Contains("deployment.apps/r replaced", await Kubectl.OkWithInputAsync(current.Replace("replicas: 3", "replicas: 2"), "replace", "-f", "-"));

        var stale = await Kubectl.RunAsync(["replace", "-f", "-"], current.Replace("replicas: 3", "replicas: 1"));
        Assert.NotEqual(0, stale.ExitCode);
        Assert.Contains("the object has been modified", stale.Combined);
        Assert.Equal("2", await Kubectl.OkAsync("get", "deploy", "r", "-n", ns, "-o", "jsonpath={.spec.replicas}"));
    }

    [Fact]
    public async Task LabelAndAnnotate_ChangeMetadata()
    {
        var ns = await NamespaceAsync();
        await Kubectl.OkWithInputAsync(Deployment("l"), "create", "-n", ns, "-f", "-");
        Assert.Contains("labeled", await Kubectl.OkAsync("label", "deploy", "l", "-n", ns, "tier=frontend"));
        // 1.27 prints "annotate", later releases "annotated".
        Assert.Contains("deployment.apps/l annotate", await Kubectl.OkAsync("annotate", "deploy", "l", "-n", ns, "note=hello"));
        Assert.Contains("l", await Kubectl.OkAsync("get", "deploy", "-n", ns, "-l", "tier=frontend", "-o", "name"));
        Assert.Equal("", await Kubectl.OkAsync("get", "deploy", "-n", ns, "-l", "tier=backend", "-o", "name"));
        Assert.Equal("hello", await Kubectl.OkAsync("get", "deploy", "l", "-n", ns, "-o", "jsonpath={.metadata.annotations.note}"));
    }

    [Fact]
    public async Task Delete_WithFinalizer_WaitsForFinalizerRemoval()
    {
        var ns = await NamespaceAsync();
        await Kubectl.OkWithInputAsync("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  finalizers: [example.com/hold]\ndata: {a: \"1\"}\n", "apply", "-n", ns, "-f", "-");
        await Kubectl.OkAsync("delete", "configmap", "held", "-n", ns, "--wait=false");
        Assert.NotEmpty(await Kubectl.OkAsync("get", "configmap", "held", "-n", ns, "-o", "jsonpath={.metadata.deletionTimestamp}"));

        await Kubectl.OkAsync("patch", "configmap", "held", "-n", ns, "--type=json", "-p", """[{"op":"remove","path":"/metadata/finalizers"}]""");
        var gone = await Kubectl.RunAsync("get", "configmap", "held", "-n", ns);
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("NotFound", gone.Combined);
    }

    [Fact]
    public async Task GetWatch_SeesCreateUpdateDelete()
    {
        var ns = await NamespaceAsync();
        var info = new ProcessStartInfo(Kubectl.Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "get", "configmaps", "-n", ns, "-w", "--output-watch-events" })
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["KUBECONFIG"] = server.Kubeconfig;
        using var watch = Process.Start(info)!;
        var lines = new List<string>();
        var header = new TaskCompletionSource();
        watch.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            header.TrySetResult();
        };
        watch.BeginOutputReadLine();
        try
        {
            // The watch starts after kubectl's initial (empty) list; give it a moment past that.
            await Kubectl.OkWithInputAsync("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: seed\n", "apply", "-n", ns, "-f", "-");
            await header.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await Kubectl.OkWithInputAsync("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\ndata: {a: \"1\"}\n", "apply", "-n", ns, "-f", "-");
            await Kubectl.OkAsync("patch", "configmap", "watched", "-n", ns, "--type=merge", "-p", """{"data":{"a":"2"}}""");
            await Kubectl.OkAsync("delete", "configmap", "watched", "-n", ns);

            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < deadline)
            {
                lock (lines)
                {
                    if (lines.Any(l => l.StartsWith("DELETED", StringComparison.Ordinal) && l.Contains("watched", StringComparison.Ordinal)))
                    {
                        break;
                    }
                }

                await Task.Delay(100);
            }
        }
        finally
        {
            watch.Kill(entireProcessTree: true);
            await watch.WaitForExitAsync();
        }

        List<string> snapshot;
        lock (lines)
        {
            snapshot = [.. lines.Where(l => l.Contains("watched", StringComparison.Ordinal))];
        }

        Assert.Contains(snapshot, l => l.StartsWith("ADDED", StringComparison.Ordinal));
        Assert.Contains(snapshot, l => l.StartsWith("MODIFIED", StringComparison.Ordinal));
        Assert.Contains(snapshot, l => l.StartsWith("DELETED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Explain_DeploymentStrategy_DescribesFields()
    {
        var explain = await Kubectl.OkAsync("explain", "deployment.spec.strategy");
        Assert.Contains("KIND:", explain);
        Assert.Contains("Deployment", explain);
        Assert.Contains("rollingUpdate", explain);
        Assert.Contains("type", explain);
    }

    [Fact]
    public async Task Diff_ChangedManifest_ShowsChangeAndExitsOne()
    {
        var ns = await NamespaceAsync();
        await Kubectl.OkWithInputAsync(Deployment("d"), "apply", "-n", ns, "-f", "-");
        var same = await Kubectl.RunAsync(["diff", "-n", ns, "-f", "-"], Deployment("d"));
        Assert.Equal(0, same.ExitCode);

        var changed = await Kubectl.RunAsync(["diff", "-n", ns, "-f", "-"], Deployment("d", replicas: 7));
        Assert.Equal(1, changed.ExitCode);
        Assert.Contains("-  replicas: 3", changed.StandardOutput);
        Assert.Contains("+  replicas: 7", changed.StandardOutput);
        Assert.Equal("3", await Kubectl.OkAsync("get", "deploy", "d", "-n", ns, "-o", "jsonpath={.spec.replicas}"));
    }

    [Fact]
    public async Task CreateImperative_TypedClientObjects_Created()
    {
        // kubectl 1.32+ sends these typed-client bodies as protobuf, older releases as JSON.
        var ns = "e2e-imp-" + Guid.NewGuid().ToString("N")[..6];
        Assert.Contains($"namespace/{ns} created", await Kubectl.OkAsync("create", "namespace", ns));
        Assert.Contains("configmap/settings created", await Kubectl.OkAsync("create", "configmap", "settings", "-n", ns, "--from-literal=mode=fast"));
        Assert.Contains("secret/creds created", await Kubectl.OkAsync("create", "secret", "generic", "creds", "-n", ns, "--from-literal=password=s3cret"));
        Assert.Contains("deployment.apps/imp created", await Kubectl.OkAsync("create", "deployment", "imp", "-n", ns, "--image=busybox:1.36", "--replicas=2"));
        Assert.Equal("fast", await Kubectl.OkAsync("get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.mode}"));
        Assert.Equal(Convert.ToBase64String("s3cret"u8.ToArray()), await Kubectl.OkAsync("get", "secret", "creds", "-n", ns, "-o", "jsonpath={.data.password}"));
        Assert.Equal("2", await Kubectl.OkAsync("get", "deploy", "imp", "-n", ns, "-o", "jsonpath={.spec.replicas}"));
        Assert.Contains("scaled", await Kubectl.OkAsync("scale", "deploy", "imp", "-n", ns, "--replicas=4"));
        Assert.Equal("4", await Kubectl.OkAsync("get", "deploy", "imp", "-n", ns, "-o", "jsonpath={.spec.replicas}"));
    }

    [Fact]
    public async Task ServiceAccounts_TokenRequestRootCaAndTokenVolume_AsUpstream()
    {
        var ns = await NamespaceAsync();
        // The controllers give every new namespace its "default" ServiceAccount and kube-root-ca.crt, just after it.
        var token = (await EventuallyOkAsync("create", "token", "default", "-n", ns, "--audience", "vault", "--duration", "15m")).Trim();
        var payload = token.Split('.')[1];
        var claims = System.Text.Json.Nodes.JsonNode.Parse(Convert.FromBase64String(payload.Replace('-', '+').Replace('_', '/').PadRight((payload.Length + 3) / 4 * 4, '=')))!;
        Assert.Equal("vault", claims["aud"]![0]!.ToString());
        Assert.Equal($"system:serviceaccount:{ns}:default", claims["sub"]!.ToString());
        Assert.Equal(900, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());

        var ca = await EventuallyOkAsync("get", "configmap", "kube-root-ca.crt", "-n", ns, "-o", "jsonpath={.data.ca\\.crt}");
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", ca);

        await Kubectl.OkAsync("run", "tokened", "-n", ns, "--image=busybox:1.36", "--restart=Never", "--", "sleep", "1");
        Assert.StartsWith("kube-api-access-", await Kubectl.OkAsync("get", "pod", "tokened", "-n", ns, "-o", "jsonpath={.spec.volumes[0].name}"));
        Assert.Equal("/var/run/secrets/kubernetes.io/serviceaccount",
            await Kubectl.OkAsync("get", "pod", "tokened", "-n", ns, "-o", "jsonpath={.spec.containers[0].volumeMounts[0].mountPath}"));
    }

    /// <summary>Runs kubectl until it succeeds (for what a controller creates shortly); fails after a minute.</summary>
    private async Task<string> EventuallyOkAsync(params string[] arguments)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var attempt = await Kubectl.RunAsync(arguments);
            if (attempt.ExitCode == 0)
            {
                return attempt.StandardOutput;
            }

            Assert.True(DateTime.UtcNow < deadline, $"kubectl {string.Join(" ", arguments)} never succeeded: {attempt.Combined}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task AuthCanI_CreatePods_Yes()
    {
        Assert.Equal("yes", (await Kubectl.OkAsync("auth", "can-i", "create", "pods")).Trim());
    }

    [Fact]
    public async Task Create_InvalidObject_ShowsFieldCausesAndWritesNothing()
    {
        var ns = await NamespaceAsync();
        var bad = Deployment("bad").Replace("matchLabels: {app: bad}", "matchLabels: {app: other}");
        var result = await Kubectl.RunAsync(["create", "-n", ns, "-f", "-"], bad);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("is invalid", result.Combined);
        Assert.Contains("spec.template.metadata.labels", result.Combined);
        Assert.Equal("", await Kubectl.OkAsync("get", "deploy", "-n", ns, "-o", "name"));
    }
}

public sealed class Kubectl132OnSqlite(SqliteServerFixture fixture) : KubectlScenarios(fixture.Server, "1.32"), IClassFixture<SqliteServerFixture>;

public sealed class Kubectl127OnSqlite(SqliteServerFixture fixture) : KubectlScenarios(fixture.Server, "1.27"), IClassFixture<SqliteServerFixture>;

public sealed class Kubectl133OnSqlite(SqliteServerFixture fixture) : KubectlScenarios(fixture.Server, "1.33"), IClassFixture<SqliteServerFixture>;

public sealed class Kubectl132OnEtcd(EtcdServerFixture fixture) : KubectlScenarios(fixture.Server, "1.32"), IClassFixture<EtcdServerFixture>;
