using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EndToEnd.Infrastructure;

namespace EndToEnd;

/// <summary>
/// Issue 3's "must show", end to end: the published <c>stevedore server</c> (scheduler and controllers
/// inside) with <c>stevedore hollow-nodes --count 3</c>, driven by real kubectl, asserting on what kubectl
/// prints and on API state as upstream would show them. One cluster for the whole collection; every test
/// works in its own namespace and undoes what it changes on the shared nodes (labels, taints).
/// </summary>
[Collection(HollowClusterCollection.Name)]
public sealed class HollowClusterScenarios(HollowClusterFixture cluster)
{
    private const string Hold = "e2e.stevedore.io/hold";

    private Kubectl Kubectl(string version = "1.32") => cluster.Server.Kubectl(version);

    /// <summary>The Deployment's ReplicaSets by name: desired replicas, image, revision annotation.</summary>
    private static async Task<Dictionary<string, (string Replicas, string Image, string Revision)>> ReplicaSetsAsync(Kubectl kubectl, string ns, string app)
    {
        var lines = Scenario.Lines(await kubectl.OkAsync("get", "replicasets", "-n", ns, "-l", "app=" + app, "-o",
            """jsonpath={range .items[*]}{.metadata.name} {.spec.replicas} {.spec.template.spec.containers[0].image} {.metadata.annotations.deployment\.kubernetes\.io/revision}{"\n"}{end}"""));
        return lines.Select(l => l.Split(' ')).ToDictionary(f => f[0], f => (f[1], f[2], f[3]));
    }

    [Fact]
    public async Task Deployment_OfThree_RolloutStatusSucceedsWithPodsRunningOnHollowNodes()
    {
        var k = Kubectl();
        var ns = await Scenario.NamespaceAsync(k);

        Assert.Contains("deployment.apps/web created", await k.OkWithInputAsync(Scenario.Deployment("web", 3), "apply", "-n", ns, "-f", "-"));

        Assert.Contains("deployment \"web\" successfully rolled out", await Scenario.RolloutStatusAsync(k, ns, "web"));
        Assert.Matches(@"web\s+3/3\s+3\s+3\s+\d+s", await k.OkAsync("get", "deployment", "web", "-n", ns));
        var pods = Scenario.Lines(await k.OkAsync("get", "pods", "-n", ns, "-l", "app=web", "-o",
            """jsonpath={range .items[*]}{.status.phase} {.spec.nodeName} {.status.podIP} {.status.containerStatuses[0].ready}{"\n"}{end}"""));
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Matches(@"^Running hollow-node-[0-2] 10\.42\.\d+\.\d+ true$", p));
        Assert.Matches(@"web-[a-z0-9]+\s+3\s+3\s+3\s+", await k.OkAsync("get", "replicasets", "-n", ns, "-l", "app=web"));
    }

    [Theory]
    [InlineData("1.32")]
    [InlineData("1.27")]
    public async Task SetImageThenUndo_HistoryHasTwoRevisionsThenFirstTemplateComesBackAsRevisionThree(string kubectlVersion)
    {
        var k = Kubectl(kubectlVersion);
        var ns = await Scenario.NamespaceAsync(k);
        await k.OkWithInputAsync(Scenario.Deployment("web", 3), "apply", "-n", ns, "-f", "-");
        await Scenario.RolloutStatusAsync(k, ns, "web");
        var first = await k.OkAsync("get", "replicasets", "-n", ns, "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}");

        Assert.Contains("deployment.apps/web image updated", await k.OkAsync("set", "image", "deployment/web", "web=busybox:1.37", "-n", ns));
        await Scenario.RolloutStatusAsync(k, ns, "web");

        Assert.Matches(@"REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>", await k.OkAsync("rollout", "history", "deployment/web", "-n", ns));
        await k.OkAsync("wait", "replicaset/" + first, "-n", ns, "--for=jsonpath={.status.replicas}=0", "--timeout=60s");
        var sets = await ReplicaSetsAsync(k, ns, "web");
        Assert.Equal(2, sets.Count);
        Assert.Equal(("0", "busybox:1.36", "1"), sets[first]);
        Assert.Equal(("3", "busybox:1.37", "2"), Assert.Single(sets, s => s.Key != first).Value);
        Assert.Matches(@"Image:\s+busybox:1\.37", await k.OkAsync("rollout", "history", "deployment/web", "-n", ns, "--revision=2"));

        Assert.Contains("deployment.apps/web rolled back", await k.OkAsync("rollout", "undo", "deployment/web", "-n", ns));
        await Scenario.RolloutStatusAsync(k, ns, "web");

        var history = await k.OkAsync("rollout", "history", "deployment/web", "-n", ns);
        Assert.Matches(@"REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>$", history);
        sets = await ReplicaSetsAsync(k, ns, "web");
        Assert.Equal(("3", "busybox:1.36", "3"), sets[first]);
        Assert.Equal(("0", "busybox:1.37", "2"), Assert.Single(sets, s => s.Key != first).Value);
        Assert.Equal("1", await k.OkAsync("get", "replicaset", first, "-n", ns, "-o", @"jsonpath={.metadata.annotations.deployment\.kubernetes\.io/revision-history}"));
        Assert.Equal("busybox:1.36 3", await k.OkAsync("get", "deployment", "web", "-n", ns, "-o",
            @"jsonpath={.spec.template.spec.containers[0].image} {.metadata.annotations.deployment\.kubernetes\.io/revision}"));
    }

    [Fact]
    public async Task ScalePauseResumeRestart_BehaveAsUpstream()
    {
        var k = Kubectl();
        var ns = await Scenario.NamespaceAsync(k);
        await k.OkWithInputAsync(Scenario.Deployment("web", 3), "apply", "-n", ns, "-f", "-");
        await Scenario.RolloutStatusAsync(k, ns, "web");

        Assert.Contains("deployment.apps/web scaled", await k.OkAsync("scale", "deployment/web", "--replicas=5", "-n", ns));
        await k.OkAsync("wait", "deployment/web", "-n", ns, "--for=jsonpath={.status.availableReplicas}=5", "--timeout=60s");
        Assert.Matches(@"web\s+5/5\s+5\s+5\s+", await k.OkAsync("get", "deployment", "web", "-n", ns));

        Assert.Contains("deployment.apps/web paused", await k.OkAsync("rollout", "pause", "deployment/web", "-n", ns));
        await k.OkAsync("set", "image", "deployment/web", "web=busybox:1.37", "-n", ns);
        // Once the controller has observed the new generation, a paused Deployment must still have one ReplicaSet.
        await Scenario.EventuallyAsync(async () =>
        {
            var generations = (await k.OkAsync("get", "deployment", "web", "-n", ns, "-o", "jsonpath={.metadata.generation} {.status.observedGeneration}")).Split(' ');
            return generations.Length == 2 && generations[0] == generations[1];
        }, "the paused Deployment's new generation observed");
        Assert.Single(Scenario.Lines(await k.OkAsync("get", "replicasets", "-n", ns, "-l", "app=web", "-o", "name")));
        Assert.Equal("Unknown DeploymentPaused", await k.OkAsync("get", "deployment", "web", "-n", ns, "-o",
            """jsonpath={.status.conditions[?(@.type=="Progressing")].status} {.status.conditions[?(@.type=="Progressing")].reason}"""));

        Assert.Contains("deployment.apps/web resumed", await k.OkAsync("rollout", "resume", "deployment/web", "-n", ns));
        await Scenario.RolloutStatusAsync(k, ns, "web");
        var sets = await ReplicaSetsAsync(k, ns, "web");
        Assert.Equal(2, sets.Count);
        Assert.Contains(("5", "busybox:1.37", "2"), sets.Values);
        Assert.Contains(("0", "busybox:1.36", "1"), sets.Values);

        Assert.Contains("deployment.apps/web restarted", await k.OkAsync("rollout", "restart", "deployment/web", "-n", ns));
        Assert.NotEmpty(await k.OkAsync("get", "deployment", "web", "-n", ns, "-o", @"jsonpath={.spec.template.metadata.annotations.kubectl\.kubernetes\.io/restartedAt}"));
        await Scenario.RolloutStatusAsync(k, ns, "web");
        sets = await ReplicaSetsAsync(k, ns, "web");
        Assert.Equal(3, sets.Count);
        Assert.Contains(("5", "busybox:1.37", "3"), sets.Values);
        Assert.Equal(2, sets.Values.Count(s => s.Replicas == "0"));
        Assert.Matches(@"REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n3\s+<none>", await k.OkAsync("rollout", "history", "deployment/web", "-n", ns));
        Assert.Matches(@"web\s+5/5\s+5\s+5\s+", await k.OkAsync("get", "deployment", "web", "-n", ns));

        // A rolling update only grows the new ReplicaSet and shrinks old ones: once a ReplicaSet was
        // scaled down here, it is never scaled up again (the Deployment's size did not change after that).
        var scalings = Scenario.Lines(await k.OkAsync("get", "events", "-n", ns, "--field-selector", "involvedObject.name=web,reason=ScalingReplicaSet", "-o",
                """jsonpath={range .items[*]}{.firstTimestamp}|{.message}{"\n"}{end}"""))
            .Select(l => l.Split('|')).OrderBy(f => DateTime.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture)).Select(f => f[1]).ToList();
        var shrunk = new HashSet<string>(StringComparer.Ordinal);
        foreach (var scaling in scalings)
        {
            var match = Regex.Match(scaling, @"^Scaled (up|down) replica set (\S+) from \d+ to \d+$");
            Assert.True(match.Success, scaling);
            Assert.False(match.Groups[1].Value == "up" && shrunk.Contains(match.Groups[2].Value), "scaled up again after a scale-down: " + string.Join("; ", scalings));
            if (match.Groups[1].Value == "down")
            {
                shrunk.Add(match.Groups[2].Value);
            }
        }
    }

    [Fact]
    public async Task Delete_DefaultCascade_RemovesReplicaSetAndPodsInBackground()
    {
        var k = Kubectl();
        var ns = await Scenario.NamespaceAsync(k);
        await k.OkWithInputAsync(Scenario.Deployment("web", 2), "apply", "-n", ns, "-f", "-");
        await Scenario.RolloutStatusAsync(k, ns, "web");

        Assert.Contains("deployment.apps \"web\" deleted", await k.OkAsync("delete", "deployment", "web", "-n", ns));

        await Scenario.EventuallyAsync(async () => await k.OkAsync("get", "replicasets,pods", "-n", ns, "-l", "app=web", "-o", "name") == "",
            "the ReplicaSet and its pods garbage collected");
    }

    [Theory]
    [InlineData("1.32")]
    [InlineData("1.27")]
    public async Task Delete_CascadeOrphan_KeepsReplicaSetAndPodsWithoutOwnerReference(string kubectlVersion)
    {
        var k = Kubectl(kubectlVersion);
        var ns = await Scenario.NamespaceAsync(k);
        await k.OkWithInputAsync(Scenario.Deployment("web", 2), "apply", "-n", ns, "-f", "-");
        await Scenario.RolloutStatusAsync(k, ns, "web");
        var rs = await k.OkAsync("get", "replicasets", "-n", ns, "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}");

        Assert.Contains("deployment.apps \"web\" deleted", await k.OkAsync("delete", "deployment", "web", "-n", ns, "--cascade=orphan"));

        Assert.Equal("", await k.OkAsync("get", "deployments", "-n", ns, "-o", "name"));
        var orphan = JsonNode.Parse(await k.OkAsync("get", "replicaset", rs, "-n", ns, "-o", "json"))!;
        // Upstream drops the emptied list entirely.
        Assert.False(orphan["metadata"]!.AsObject().ContainsKey("ownerReferences"), orphan["metadata"]!.ToJsonString());
        Assert.Null(orphan["metadata"]!["deletionTimestamp"]);
        Assert.Equal(2, orphan["spec"]!["replicas"]!.GetValue<int>());
        var pods = Scenario.Lines(await k.OkAsync("get", "pods", "-n", ns, "-l", "app=web", "-o",
            """jsonpath={range .items[*]}{.status.phase} {.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}{"\n"}{end}"""));
        Assert.Equal(["Running ReplicaSet/" + rs, "Running ReplicaSet/" + rs], pods);
        Assert.Matches(rs + @"\s+2\s+2\s+2\s+", await k.OkAsync("get", "replicasets", "-n", ns));
    }

    [Fact]
    public async Task Delete_CascadeForeground_KeepsOwnersWithFinalizerUntilDependentsAreGone()
    {
        var k = Kubectl();
        var ns = await Scenario.NamespaceAsync(k);
        await k.OkWithInputAsync(Scenario.Deployment("web", 2), "apply", "-n", ns, "-f", "-");
        await Scenario.RolloutStatusAsync(k, ns, "web");
        var rs = await k.OkAsync("get", "replicasets", "-n", ns, "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}");
        var pods = Scenario.Lines(await k.OkAsync("get", "pods", "-n", ns, "-l", "app=web", "-o", "name"));
        var held = pods[0];
        await k.OkAsync("patch", held, "-n", ns, "--type=merge", "-p", $$$"""{"metadata":{"finalizers":["{{{Hold}}}"]}}""");

        Assert.Contains("deployment.apps \"web\" deleted", await k.OkAsync("delete", "deployment", "web", "-n", ns, "--cascade=foreground", "--wait=false"));

        // The other pod goes; the held one blocks its ReplicaSet, which blocks the Deployment.
        await Scenario.EventuallyAsync(async () => Scenario.Lines(await k.OkAsync("get", "pods", "-n", ns, "-l", "app=web", "-o", "name")).SequenceEqual([held]),
            "only the held pod left");
        var ownersPath = """jsonpath={.metadata.finalizers[*]} {.metadata.deletionTimestamp}""";
        Assert.Matches(@"^foregroundDeletion \d{4}-\d\d-\d\dT", await k.OkAsync("get", "deployment", "web", "-n", ns, "-o", ownersPath));
        Assert.Matches(@"^foregroundDeletion \d{4}-\d\d-\d\dT", await k.OkAsync("get", "replicaset", rs, "-n", ns, "-o", ownersPath));
        Assert.Matches($@"^{Regex.Escape(Hold)} \d{{4}}-\d\d-\d\dT", await k.OkAsync("get", held, "-n", ns, "-o", ownersPath));
        Assert.Single(Scenario.Lines(await k.OkAsync("get", "pods", "-n", ns, "-l", "app=web", "-o", "name")));

        await k.OkAsync("patch", held, "-n", ns, "--type=json", "-p", """[{"op":"remove","path":"/metadata/finalizers"}]""");

        await k.OkAsync("wait", "--for=delete", "deployment/web", "replicaset/" + rs, "-n", ns, "--timeout=60s");
        Assert.Equal("", await k.OkAsync("get", "deployments,replicasets,pods", "-n", ns, "-o", "name"));
    }

    [Fact]
    public async Task ReplicaSet_MatchingBarePod_AdoptsItAndCreatesOneFewer()
    {
        var k = Kubectl();
        var ns = await Scenario.NamespaceAsync(k);
        Assert.Contains("pod/orphan created", await k.OkAsync("run", "orphan", "-n", ns, "--image=busybox:1.36", "--labels=app=adopt"));
        await k.OkAsync("wait", "pod/orphan", "-n", ns, "--for=condition=Ready", "--timeout=60s");

        await k.OkWithInputAsync(Scenario.ReplicaSet("adopt", 3), "apply", "-n", ns, "-f", "-");
        await k.OkAsync("wait", "replicaset/adopt", "-n", ns, "--for=jsonpath={.status.readyReplicas}=3", "--timeout=60s");

        var uid = await k.OkAsync("get", "replicaset", "adopt", "-n", ns, "-o", "jsonpath={.metadata.uid}");
        Assert.Equal($"ReplicaSet adopt {uid} true true", await k.OkAsync("get", "pod", "orphan", "-n", ns, "-o",
            "jsonpath={.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].name} {.metadata.ownerReferences[0].uid} {.metadata.ownerReferences[0].controller} {.metadata.ownerReferences[0].blockOwnerDeletion}"));
        var pods = Scenario.Lines(await k.OkAsync("get", "pods", "-n", ns, "-l", "app=adopt", "-o", "name"));
        Assert.Equal(3, pods.Count);
        Assert.Contains("pod/orphan", pods);
        var made = pods.Where(p => Regex.IsMatch(p, "^pod/adopt-[a-z0-9]{5}$")).Select(p => p["pod/".Length..]).Order().ToList();
        Assert.Equal(2, made.Count);
        Assert.Matches(@"adopt\s+3\s+3\s+3\s+", await k.OkAsync("get", "replicasets", "-n", ns));

        // kubectl describe shows what the controller did: two pods created, the orphan only adopted.
        await Scenario.EventuallyAsync(async () => Regex.Matches(await k.OkAsync("describe", "replicaset", "adopt", "-n", ns), "SuccessfulCreate").Count == 2,
            "two SuccessfulCreate events on the ReplicaSet");
        var created = Regex.Matches(await k.OkAsync("describe", "replicaset", "adopt", "-n", ns), @"Normal\s+SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: (\S+)")
            .Select(m => m.Groups[1].Value).Order().ToList();
        Assert.Equal(made, created);
    }

    [Fact]
    public async Task PodWithNodeSelector_PendingWithFailedSchedulingUntilNodeLabelled()
    {
        var k = Kubectl();
        var ns = await Scenario.NamespaceAsync(k);
        var label = "e2e.stevedore.io/disk-" + Scenario.Suffix();
        await k.OkWithInputAsync(Scenario.Pod("picky", $"nodeSelector: {{{label}: ssd}}"), "apply", "-n", ns, "-f", "-");
        const string Expected = "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
        try
        {
            await k.OkAsync("wait", "pod/picky", "-n", ns, "--for=condition=PodScheduled=false", "--timeout=60s");
            Assert.Equal(Expected, await Scenario.EventMessageAsync(k, ns, "picky", "FailedScheduling"));
            Assert.Equal($"Pending Unschedulable {Expected}", await k.OkAsync("get", "pod", "picky", "-n", ns, "-o",
                """jsonpath={.status.phase} {.status.conditions[?(@.type=="PodScheduled")].reason} {.status.conditions[?(@.type=="PodScheduled")].message}"""));
            Assert.Matches(@"Warning\s+FailedScheduling\s+.*default-scheduler\s+0/3 nodes are available: 3 node\(s\) didn't match Pod's node affinity/selector\.",
                await k.OkAsync("describe", "pod", "picky", "-n", ns));

            Assert.Contains("node/hollow-node-1 labeled", await k.OkAsync("label", "node", "hollow-node-1", label + "=ssd"));

            await k.OkAsync("wait", "pod/picky", "-n", ns, "--for=condition=Ready", "--timeout=60s");
            Assert.Equal("hollow-node-1 Running", await k.OkAsync("get", "pod", "picky", "-n", ns, "-o", "jsonpath={.spec.nodeName} {.status.phase}"));
            Assert.Equal($"Successfully assigned {ns}/picky to hollow-node-1", await Scenario.EventMessageAsync(k, ns, "picky", "Scheduled"));
        }
        finally
        {
            await k.RunAsync("label", "node", "hollow-node-1", label + "-");
        }
    }

    [Fact]
    public async Task Taints_KeepPodsOffNodesUnlessTolerated()
    {
        var k = Kubectl();
        var ns = await Scenario.NamespaceAsync(k);
        var key = "e2e.stevedore.io/dedicated-" + Scenario.Suffix();
        var toleration = $"tolerations: [{{key: {key}, operator: Equal, value: blue, effect: NoSchedule}}]";
        try
        {
            foreach (var node in new[] { "hollow-node-0", "hollow-node-1" })
            {
                Assert.Contains($"node/{node} tainted", await k.OkAsync("taint", "nodes", node, $"{key}=blue:NoSchedule"));
            }

            await k.OkWithInputAsync(Scenario.Deployment("plain", 4), "apply", "-n", ns, "-f", "-");
            await k.OkWithInputAsync(Scenario.Deployment("tolerant", 6, podSpec: toleration), "apply", "-n", ns, "-f", "-");
            await Scenario.RolloutStatusAsync(k, ns, "plain");
            await Scenario.RolloutStatusAsync(k, ns, "tolerant");

            var plainNodes = Scenario.Lines(await k.OkAsync("get", "pods", "-n", ns, "-l", "app=plain", "-o", """jsonpath={range .items[*]}{.spec.nodeName}{"\n"}{end}"""));
            Assert.Equal(["hollow-node-2", "hollow-node-2", "hollow-node-2", "hollow-node-2"], plainNodes);
            var tolerantNodes = Scenario.Lines(await k.OkAsync("get", "pods", "-n", ns, "-l", "app=tolerant", "-o", """jsonpath={range .items[*]}{.spec.nodeName}{"\n"}{end}"""));
            Assert.Equal(6, tolerantNodes.Count);
            Assert.Contains(tolerantNodes, n => n is "hollow-node-0" or "hollow-node-1");

            Assert.Contains("node/hollow-node-2 tainted", await k.OkAsync("taint", "nodes", "hollow-node-2", $"{key}=blue:NoSchedule"));
            await k.OkWithInputAsync(Scenario.Pod("blocked"), "apply", "-n", ns, "-f", "-");
            await k.OkAsync("wait", "pod/blocked", "-n", ns, "--for=condition=PodScheduled=false", "--timeout=60s");
            Assert.Equal($"0/3 nodes are available: 3 node(s) had untolerated taint {{{key}: blue}}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
                await Scenario.EventMessageAsync(k, ns, "blocked", "FailedScheduling"));

            Assert.Contains("node/hollow-node-0 untainted", await k.OkAsync("taint", "nodes", "hollow-node-0", key + ":NoSchedule-"));
            await k.OkAsync("wait", "pod/blocked", "-n", ns, "--for=condition=Ready", "--timeout=60s");
            Assert.Equal("hollow-node-0", await k.OkAsync("get", "pod", "blocked", "-n", ns, "-o", "jsonpath={.spec.nodeName}"));
        }
        finally
        {
            foreach (var node in new[] { "hollow-node-0", "hollow-node-1", "hollow-node-2" })
            {
                await k.RunAsync("taint", "nodes", node, key + "-");
            }
        }
    }

    [Fact]
    public async Task RequiredPodAntiAffinity_SpreadsOnePerNodeAndFourthReplicaStaysPending()
    {
        var k = Kubectl();
        var ns = await Scenario.NamespaceAsync(k);
        const string AntiAffinity = """
            affinity:
                    podAntiAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                      - labelSelector: {matchLabels: {app: spread}}
                        topologyKey: kubernetes.io/hostname
            """;
        await k.OkWithInputAsync(Scenario.Deployment("spread", 4, podSpec: AntiAffinity), "apply", "-n", ns, "-f", "-");

        await k.OkAsync("wait", "deployment/spread", "-n", ns, "--for=jsonpath={.status.availableReplicas}=3", "--timeout=60s");
        var pods = Scenario.Lines(await k.OkAsync("get", "pods", "-n", ns, "-l", "app=spread", "-o",
            """jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.spec.nodeName}{"\n"}{end}"""));
        Assert.Equal(4, pods.Count);
        var running = pods.Select(p => p.Split(' ')).Where(f => f[1] == "Running").Select(f => f[2]).Order().ToList();
        Assert.Equal(["hollow-node-0", "hollow-node-1", "hollow-node-2"], running);
        var pending = Assert.Single(pods.Select(p => p.Split(' ')), f => f[1] == "Pending" && f.Length == 2)[0];
        Assert.Equal("0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
            await Scenario.EventMessageAsync(k, ns, pending, "FailedScheduling"));
        Assert.Matches(@"spread\s+3/4\s+4\s+3\s+", await k.OkAsync("get", "deployment", "spread", "-n", ns));
    }

    [Theory]
    [InlineData("1.32")]
    [InlineData("1.27")]
    public async Task DeleteNamespace_EmptiesItRefusesNewContentThenDisappears(string kubectlVersion)
    {
        var k = Kubectl(kubectlVersion);
        var ns = await Scenario.NamespaceAsync(k);
        await k.OkWithInputAsync(Scenario.Deployment("web", 3), "apply", "-n", ns, "-f", "-");
        await k.OkAsync("create", "configmap", "settings", "-n", ns, "--from-literal=mode=fast");
        await k.OkAsync("create", "secret", "generic", "creds", "-n", ns, "--from-literal=password=s3cret");
        await Scenario.RolloutStatusAsync(k, ns, "web");
        await k.OkAsync("run", "held", "-n", ns, "--image=busybox:1.36");
        await k.OkAsync("wait", "pod/held", "-n", ns, "--for=condition=Ready", "--timeout=60s");
        await k.OkAsync("patch", "pod", "held", "-n", ns, "--type=merge", "-p", $$$"""{"metadata":{"finalizers":["{{{Hold}}}"]}}""");

        Assert.Contains($"namespace \"{ns}\" deleted", await k.OkAsync("delete", "namespace", ns, "--wait=false"));

        // Everything but the held pod goes; the namespace says what it waits for, as upstream.
        const string Conditions = """jsonpath={.status.phase}|{.status.conditions[?(@.type=="NamespaceContentRemaining")].message}|{.status.conditions[?(@.type=="NamespaceFinalizersRemaining")].message}""";
        var expected = $"Terminating|Some resources are remaining: pods. has 1 resource instances|Some content in the namespace has finalizers remaining: {Hold} in 1 resource instances";
        await Scenario.EventuallyAsync(async () => await k.OkAsync("get", "namespace", ns, "-o", Conditions) == expected,
            "the namespace waiting on the held pod", async () => await k.OkAsync("get", "namespace", ns, "-o", "yaml"));
        Assert.Equal("", await k.OkAsync("get", "deployments,replicasets,configmaps,secrets", "-n", ns, "-o", "name"));
        Assert.Equal(["pod/held"], Scenario.Lines(await k.OkAsync("get", "pods", "-n", ns, "-o", "name")));

        var refused = await k.RunAsync(["create", "-n", ns, "-f", "-"], "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: late\n");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Error from server (Forbidden)", refused.StandardError);
        Assert.Contains($"configmaps \"late\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", refused.StandardError);

        await k.OkAsync("patch", "pod", "held", "-n", ns, "--type=json", "-p", """[{"op":"remove","path":"/metadata/finalizers"}]""");

        await k.OkAsync("wait", "--for=delete", "namespace/" + ns, "--timeout=60s");
        var gone = await k.RunAsync("get", "namespace", ns);
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains($"namespaces \"{ns}\" not found", gone.StandardError);
        Assert.Equal("", await k.OkAsync("get", "pods", "-n", ns, "-o", "name"));
    }
}

/// <summary>
/// A hollow node whose process is killed stops heartbeating: after the 40 s grace period the node
/// lifecycle controller marks it NotReady (Ready Unknown) and taints it unreachable. Its own cluster,
/// so the minute it takes runs beside the other scenarios and the dead node leaves them alone.
/// </summary>
public sealed class HollowNodeHeartbeatScenarios(HollowClusterFixture cluster) : IClassFixture<HollowClusterFixture>
{
    [Fact]
    public async Task KilledHollowNode_BecomesNotReadyWithUnreachableTaintsAfterGracePeriod()
    {
        var k = cluster.Server.Kubectl("1.32");
        await using var lone = await HollowNodesProcess.StartAsync(cluster.Server, 1, "lone-");
        try
        {
            var ns = await Scenario.NamespaceAsync(k);
            await k.OkAsync("run", "stranded", "-n", ns, "--image=busybox:1.36", """--overrides={"apiVersion":"v1","spec":{"nodeName":"lone-0"}}""");
            await k.OkAsync("run", "impatient", "-n", ns, "--image=busybox:1.36",
                """--overrides={"apiVersion":"v1","spec":{"nodeName":"lone-0","tolerations":[{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":5}]}}""");
            await k.OkAsync("wait", "pod/stranded", "pod/impatient", "-n", ns, "--for=condition=Ready", "--timeout=60s");
            // DefaultTolerationSeconds admission: 300 s before an unreachable node's pods are evicted.
            Assert.Equal("Exists NoExecute 300", await k.OkAsync("get", "pod", "stranded", "-n", ns, "-o",
                """jsonpath={.spec.tolerations[?(@.key=="node.kubernetes.io/unreachable")].operator} {.spec.tolerations[?(@.key=="node.kubernetes.io/unreachable")].effect} {.spec.tolerations[?(@.key=="node.kubernetes.io/unreachable")].tolerationSeconds}"""));

            await lone.StopAsync();

            var wait = await k.RunAsync(["wait", "node/lone-0", "--for=condition=Ready=Unknown", "--timeout=120s"], null, TimeSpan.FromSeconds(150));
            Assert.True(wait.ExitCode == 0, wait.Combined);
            Assert.Matches(@"lone-0\s+NotReady\s+", await k.OkAsync("get", "nodes"));
            Assert.Equal("Unknown NodeStatusUnknown Kubelet stopped posting node status.", await k.OkAsync("get", "node", "lone-0", "-o",
                """jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.conditions[?(@.type=="Ready")].reason} {.status.conditions[?(@.type=="Ready")].message}"""));
            await Scenario.EventuallyAsync(async () => (await k.OkAsync("get", "node", "lone-0", "-o", """jsonpath={range .spec.taints[*]}{.key}:{.effect}{"\n"}{end}"""))
                    .Split('\n').Order().SequenceEqual(["node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"]),
                "both unreachable taints on lone-0", async () => await k.OkAsync("get", "node", "lone-0", "-o", "jsonpath={.spec.taints}"));

            // Judged on API state: the node went Unknown no sooner than 40 s after its last Lease renewal.
            var renewed = DateTime.Parse(await k.OkAsync("get", "lease", "lone-0", "-n", "kube-node-lease", "-o", "jsonpath={.spec.renewTime}"), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal);
            var unknownSince = DateTime.Parse(await k.OkAsync("get", "node", "lone-0", "-o", """jsonpath={.status.conditions[?(@.type=="Ready")].lastTransitionTime}"""),
                System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
            Assert.True(unknownSince - renewed >= TimeSpan.FromSeconds(40), $"Ready went Unknown at {unknownSince:O}, last renewal {renewed:O}");

            // NoExecute eviction honours tolerationSeconds: the pod tolerating 5 s is deleted (it stays
            // Terminating, as nothing on the dead node confirms), the one tolerating the default 300 s is not.
            await Scenario.EventuallyAsync(async () => await k.OkAsync("get", "pod", "impatient", "-n", ns, "-o", "jsonpath={.metadata.deletionTimestamp}") != "",
                "the pod tolerating the unreachable taint for 5 s to be evicted");

            // The stranded pod is marked not ready but, tolerating the taint for 300 s, is not evicted yet.
            await k.OkAsync("wait", "pod/stranded", "-n", ns, "--for=condition=Ready=false", "--timeout=60s");
            Assert.Equal("Running", await k.OkAsync("get", "pod", "stranded", "-n", ns, "-o", "jsonpath={.status.phase} {.metadata.deletionTimestamp}"));
            // As upstream, only the pod's Ready condition changes; kubectl's READY column counts containers.
            Assert.Equal("False", await k.OkAsync("get", "pod", "stranded", "-n", ns, "-o", """jsonpath={.status.conditions[?(@.type=="Ready")].status}"""));
            Assert.DoesNotMatch(@"hollow-node-\d\s+NotReady", await k.OkAsync("get", "nodes"));
        }
        finally
        {
            await k.RunAsync("delete", "node", "lone-0");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class HollowClusterCollection : ICollectionFixture<HollowClusterFixture>
{
    public const string Name = "hollow-cluster";
}

/// <summary>Manifests and polling shared by the hollow-cluster scenarios.</summary>
internal static class Scenario
{
    public static string Suffix() => Guid.NewGuid().ToString("N")[..6];

    public static async Task<string> NamespaceAsync(Kubectl kubectl)
    {
        var name = "hc-" + Suffix();
        Assert.Contains($"namespace/{name} created", await kubectl.OkAsync("create", "namespace", name));
        return name;
    }

    /// <summary>A Deployment whose pods are labelled app=NAME; <paramref name="podSpec"/> is extra YAML at pod-spec level.</summary>
    public static string Deployment(string name, int replicas, string image = "busybox:1.36", string podSpec = "") => $$"""
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
              {{podSpec}}
              containers:
              - name: web
                image: {{image}}
        """;

    public static string ReplicaSet(string name, int replicas) => $$"""
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata:
          name: {{name}}
        spec:
          replicas: {{replicas}}
          selector:
            matchLabels: {app: {{name}}}
          template:
            metadata:
              labels: {app: {{name}}}
            spec:
              containers:
              - name: c
                image: busybox:1.36
        """;

    public static string Pod(string name, string podSpec = "") => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
        spec:
          {{podSpec}}
          containers:
          - name: c
            image: busybox:1.36
        """;

    /// <summary><c>kubectl rollout status</c> to completion; asserts success and returns its output.</summary>
    public static async Task<string> RolloutStatusAsync(Kubectl kubectl, string ns, string deployment)
    {
        var result = await kubectl.RunAsync(["rollout", "status", "deployment/" + deployment, "-n", ns, "--timeout=120s"], null, TimeSpan.FromSeconds(150));
        Assert.True(result.ExitCode == 0, $"rollout status of {ns}/{deployment} failed ({result.ExitCode}): {result.Combined}");
        return result.StandardOutput;
    }

    /// <summary>The message of the (first) event with <paramref name="reason"/> about the object named <paramref name="name"/>, waiting for it.</summary>
    public static async Task<string> EventMessageAsync(Kubectl kubectl, string ns, string name, string reason)
    {
        var message = "";
        await EventuallyAsync(async () =>
        {
            message = await kubectl.OkAsync("get", "events", "-n", ns, "--field-selector", $"involvedObject.name={name},reason={reason}",
                "-o", "jsonpath={.items[0].message}");
            return message.Length > 0;
        }, $"a {reason} event for {ns}/{name}");
        return message;
    }

    public static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>Polls <paramref name="condition"/> until true; fails with <paramref name="what"/> (and the diagnostics) after the timeout.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, Func<Task<string>>? diagnostics = null, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {seconds} s waiting for {what}" + (diagnostics is null ? "" : ": " + await diagnostics()));
            }

            await Task.Delay(250);
        }
    }
}
