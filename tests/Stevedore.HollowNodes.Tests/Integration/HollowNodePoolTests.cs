using k8s;
using k8s.Models;
using Stevedore.Client.Resources;

namespace Stevedore.HollowNodes.Tests.Integration;

[Collection(ServerCollection.Name)]
public sealed class HollowNodePoolTests(ServerFixture server)
{
    private readonly IKubernetes _client = server.Client;

    [Fact]
    public async Task RunAsync_Started_NodesRegisteredReadyWithCapacityAndLabels()
    {
        await using var running = await RunningPool.StartAsync(_client, count: 3, o => o with { Cpu = "8", Memory = "32Gi", Pods = 50 });

        foreach (var name in running.Pool.NodeNames)
        {
            var node = await _client.CoreV1.ReadNodeAsync(name);
            Assert.Equal("True", Assert.Single(node.Status.Conditions, c => c.Type == "Ready").Status);
            Assert.Equal("KubeletReady", Assert.Single(node.Status.Conditions, c => c.Type == "Ready").Reason);
            Assert.Equal("8", node.Status.Capacity["cpu"].ToString());
            Assert.Equal("32Gi", node.Status.Allocatable["memory"].ToString());
            Assert.Equal("50", node.Status.Capacity["pods"].ToString());
            Assert.Equal("true", node.Metadata.Labels["node.stevedore.io/hollow"]);
            Assert.Equal(name, node.Metadata.Labels["kubernetes.io/hostname"]);
            Assert.Equal("hollow://1.0", node.Status.NodeInfo.ContainerRuntimeVersion);
            Assert.StartsWith("127.1.", Assert.Single(node.Status.Addresses, a => a.Type == "InternalIP").Address, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunAsync_Running_LeasesRenewedAndNodeHeartbeatAdvances()
    {
        await using var running = await RunningPool.StartAsync(_client, count: 2);
        var name = running.Pool.NodeNames.First();
        var first = await _client.CoordinationV1.ReadNamespacedLeaseAsync(name, "kube-node-lease");
        Assert.Equal(name, first.Spec.HolderIdentity);
        Assert.Equal(40, first.Spec.LeaseDurationSeconds);
        var firstNode = await _client.CoreV1.ReadNodeAsync(name);
        var firstHeartbeat = firstNode.Status.Conditions.Single(c => c.Type == "Ready").LastHeartbeatTime;

        await Eventually.MatchAsync(
            () => _client.CoordinationV1.ReadNamespacedLeaseAsync(name, "kube-node-lease"),
            l => l.Spec.RenewTime > first.Spec.RenewTime,
            "lease renewTime to advance");
        await Eventually.MatchAsync(
            () => _client.CoreV1.ReadNodeAsync(name),
            n => n.Status.Conditions.Single(c => c.Type == "Ready").LastHeartbeatTime > firstHeartbeat,
            "node Ready heartbeat to advance");
    }

    [Fact]
    public async Task RunAsync_Stopped_LeaseNoLongerRenewed()
    {
        var running = await RunningPool.StartAsync(_client, count: 1);
        var name = running.Pool.NodeNames.Single();
        await running.DisposeAsync();
        var stopped = await _client.CoordinationV1.ReadNamespacedLeaseAsync(name, "kube-node-lease");

        await Task.Delay(TimeSpan.FromSeconds(1.5));   // several renew periods of 200 ms

        var later = await _client.CoordinationV1.ReadNamespacedLeaseAsync(name, "kube-node-lease");
        Assert.Equal(stopped.Metadata.ResourceVersion, later.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task SyncPod_BoundToNodeWithPodCidr_RunningReadyWithIpFromCidr()
    {
        await using var running = await RunningPool.StartAsync(_client, count: 1, o => o with { PodCidrWait = TimeSpan.FromSeconds(30) });
        var nodeName = running.Pool.NodeNames.Single();
        await _client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"podCIDR":"10.123.4.0/24","podCIDRs":["10.123.4.0/24"]}}""", V1Patch.PatchType.MergePatch), nodeName);
        var ns = await server.CreateNamespaceAsync();

        await CreateAndBindAsync(ns, "web", nodeName, restartPolicy: "Always");
        var pod = await WaitForPhaseAsync(ns, "web", "Running", p => p.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);

        Assert.True(PodIpAllocator.Contains("10.123.4.0/24", pod.Status.PodIP), pod.Status.PodIP);
        Assert.Equal(pod.Status.PodIP, Assert.Single(pod.Status.PodIPs).Ip);
        Assert.Equal("127.1.0.1", pod.Status.HostIP);
        var container = Assert.Single(pod.Status.ContainerStatuses);
        Assert.True(container.Ready);
        Assert.NotNull(container.State.Running);
        Assert.NotNull(pod.Status.StartTime);
    }

    [Fact]
    public async Task SyncPod_NodeWithoutPodCidr_FallbackRangeAndDistinctIps()
    {
        await using var running = await RunningPool.StartAsync(_client, count: 1);
        var nodeName = running.Pool.NodeNames.Single();
        var ns = await server.CreateNamespaceAsync();

        await CreateAndBindAsync(ns, "a", nodeName, "Always");
        await CreateAndBindAsync(ns, "b", nodeName, "Always");
        var a = await WaitForPhaseAsync(ns, "a", "Running");
        var b = await WaitForPhaseAsync(ns, "b", "Running");

        Assert.True(PodIpAllocator.Contains("10.244.0.0/24", a.Status.PodIP), a.Status.PodIP);
        Assert.True(PodIpAllocator.Contains("10.244.0.0/24", b.Status.PodIP), b.Status.PodIP);
        Assert.NotEqual(a.Status.PodIP, b.Status.PodIP);
    }

    [Theory]
    [InlineData("Never", "0", "Succeeded")]
    [InlineData("Never", "3", "Failed")]
    [InlineData("OnFailure", "0", "Succeeded")]
    public async Task SyncPod_ExitCodeAnnotation_TerminalPhase(string restartPolicy, string exitCode, string phase)
    {
        await using var running = await RunningPool.StartAsync(_client, count: 1);
        var ns = await server.CreateNamespaceAsync();

        await CreateAndBindAsync(ns, "job", running.Pool.NodeNames.Single(), restartPolicy, new() { [HollowAnnotations.ExitCode] = exitCode });
        var pod = await WaitForPhaseAsync(ns, "job", phase);

        var terminated = Assert.Single(pod.Status.ContainerStatuses).State.Terminated;
        Assert.NotNull(terminated);
        Assert.Equal(int.Parse(exitCode, System.Globalization.CultureInfo.InvariantCulture), terminated.ExitCode);
    }

    [Fact]
    public async Task SyncPod_ExitCodeWithRestartAlways_CrashLoopsWithGrowingRestartCount()
    {
        await using var running = await RunningPool.StartAsync(_client, count: 1);
        var ns = await server.CreateNamespaceAsync();

        await CreateAndBindAsync(ns, "crash", running.Pool.NodeNames.Single(), "Always", new() { [HollowAnnotations.ExitCode] = "1" });
        var pod = await Eventually.MatchAsync(
            () => _client.CoreV1.ReadNamespacedPodAsync("crash", ns),
            p => p.Status.ContainerStatuses?.FirstOrDefault() is { RestartCount: >= 2 } c && c.State?.Waiting?.Reason == "CrashLoopBackOff",
            "the container to crash-loop twice");

        Assert.Equal("Running", pod.Status.Phase);
        Assert.Equal(1, pod.Status.ContainerStatuses[0].LastState.Terminated.ExitCode);
    }

    [Fact]
    public async Task SyncPod_Deleted_RemovedFromApi()
    {
        await using var running = await RunningPool.StartAsync(_client, count: 1);
        var ns = await server.CreateNamespaceAsync();
        await CreateAndBindAsync(ns, "gone", running.Pool.NodeNames.Single(), "Always");
        await WaitForPhaseAsync(ns, "gone", "Running");

        await _client.CoreV1.DeleteNamespacedPodAsync("gone", ns);

        var pods = new ResourceClient<V1Pod>(_client);
        await Eventually.MatchAsync(() => pods.GetAsync(ns, "gone"), p => p is null, "the pod to be removed");
    }

    [Fact]
    public async Task SyncPod_OtherNode_Untouched()
    {
        await using var running = await RunningPool.StartAsync(_client, count: 1);
        await using var other = await RunningPool.StartAsync(_client, count: 1);
        var ns = await server.CreateNamespaceAsync();

        await CreateAndBindAsync(ns, "mine", running.Pool.NodeNames.Single(), "Always");
        await CreateAndBindAsync(ns, "foreign", "not-a-hollow-node", "Always");
        await WaitForPhaseAsync(ns, "mine", "Running");

        var foreign = await _client.CoreV1.ReadNamespacedPodAsync("foreign", ns);
        Assert.NotEqual("Running", foreign.Status?.Phase);
        Assert.Null(foreign.Status?.PodIP);
    }

    [Fact]
    public async Task RunAsync_Restarted_RunningPodsKeepTheirIpsAndNewPodsGetOthers()
    {
        var prefix = "r" + Guid.NewGuid().ToString("N")[..6] + "-";
        var ns = await server.CreateNamespaceAsync();
        string firstIp;
        await using (var first = await RunningPool.StartAsync(_client, count: 1, o => o with { NamePrefix = prefix }))
        {
            await CreateAndBindAsync(ns, "old", first.Pool.NodeNames.Single(), "Always");
            firstIp = (await WaitForPhaseAsync(ns, "old", "Running")).Status.PodIP;
        }

        await using var second = await RunningPool.StartAsync(_client, count: 1, o => o with { NamePrefix = prefix });
        await CreateAndBindAsync(ns, "new", second.Pool.NodeNames.Single(), "Always");
        var created = await WaitForPhaseAsync(ns, "new", "Running");

        Assert.NotEqual(firstIp, created.Status.PodIP);
        Assert.Equal(firstIp, (await _client.CoreV1.ReadNamespacedPodAsync("old", ns)).Status.PodIP);
    }

    [Fact]
    public async Task SyncNode_NodeDeleted_RegisteredAgain()
    {
        await using var running = await RunningPool.StartAsync(_client, count: 1);
        var name = running.Pool.NodeNames.Single();
        var before = await _client.CoreV1.ReadNodeAsync(name);

        await _client.CoreV1.DeleteNodeAsync(name);

        var nodes = new ResourceClient<V1Node>(_client);
        await Eventually.MatchAsync(
            () => nodes.GetAsync(null, name),
            n => n is not null && n.Metadata.Uid != before.Metadata.Uid && n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true,
            "the node to be registered again and Ready");
    }

    private async Task CreateAndBindAsync(string ns, string name, string nodeName, string restartPolicy, Dictionary<string, string>? annotations = null)
    {
        await _client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Annotations = annotations },
            Spec = new V1PodSpec { RestartPolicy = restartPolicy, Containers = [new V1Container { Name = "app", Image = "nginx:1.27" }] },
        }, ns);
        await _client.CoreV1.CreateNamespacedPodBindingAsync(new V1Binding
        {
            Metadata = new V1ObjectMeta { Name = name },
            Target = new V1ObjectReference { Kind = "Node", Name = nodeName, ApiVersion = "v1" },
        }, name, ns);
    }

    private Task<V1Pod> WaitForPhaseAsync(string ns, string name, string phase, Func<V1Pod, bool>? also = null) =>
        Eventually.MatchAsync(
            () => _client.CoreV1.ReadNamespacedPodAsync(name, ns),
            p => p.Status?.Phase == phase && (also is null || also(p)),
            $"pod {ns}/{name} to be {phase}");
}
