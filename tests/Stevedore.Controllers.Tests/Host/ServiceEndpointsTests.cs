using System.Diagnostics;
using k8s;
using k8s.Models;
using Stevedore.Controllers.EndpointSlice;
using Xunit.Abstractions;

namespace Stevedore.Controllers.Tests.Host;

/// <summary>The Endpoints, EndpointSlice and service load-balancer controllers against a live API server.</summary>
[Collection(LiveClusterCollection.Name)]
public sealed class ServiceEndpointsTests(LiveClusterFixture cluster, ITestOutputHelper output)
{
    private IKubernetes Client => cluster.Client;

    private static readonly Dictionary<string, string> WebLabels = new() { ["app"] = "web" };

    private async Task<V1Pod> CreateServingPodAsync(string ns, string name, string ip, bool ready, IList<V1ContainerPort>? ports = null, string? hostname = null, string? subdomain = null)
    {
        var pod = await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = WebLabels },
            Spec = new V1PodSpec
            {
                Hostname = hostname,
                Subdomain = subdomain,
                Containers = [new V1Container { Name = "c", Image = "busybox", Ports = ports }],
            },
        }, ns);
        return await SetPodStatusAsync(pod, ip, ready);
    }

    // What a kubelet would report: the pod runs with an IP and is (not) ready.
    private async Task<V1Pod> SetPodStatusAsync(V1Pod pod, string ip, bool ready)
    {
        var status = new V1PodStatus
        {
            Phase = "Running",
            PodIP = ip,
            PodIPs = [new V1PodIP { Ip = ip }],
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = DateTime.UtcNow }],
        };
        var patch = new V1Patch(KubernetesJson.Serialize(new { status }), V1Patch.PatchType.MergePatch);
        return await Client.CoreV1.PatchNamespacedPodStatusAsync(patch, pod.Metadata.Name, pod.Metadata.NamespaceProperty);
    }

    private Task<V1Service> CreateServiceAsync(string ns, string name, IDictionary<string, string>? selector, IList<V1ServicePort>? ports = null, string type = "ClusterIP") =>
        Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["team"] = "t" } },
            Spec = new V1ServiceSpec
            {
                Type = type,
                Selector = selector,
                Ports = ports ?? [new V1ServicePort { Name = "http", Port = 80, TargetPort = 8080 }],
            },
        }, ns);

    private async Task<V1Endpoints?> EndpointsAsync(string ns, string name) =>
        (await Client.CoreV1.ListNamespacedEndpointsAsync(ns, fieldSelector: "metadata.name=" + name)).Items.SingleOrDefault();

    private async Task<IList<V1EndpointSlice>> SlicesAsync(string ns, string service) =>
        (await Client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, labelSelector: $"{EndpointSliceLogic.ServiceNameLabel}={service}")).Items;

    [Fact]
    public async Task ServiceWithSelector_GetsEndpointsAndSlicesOfItsPods()
    {
        var ns = await cluster.CreateNamespaceAsync();
        await CreateServingPodAsync(ns, "a", "10.42.7.2", ready: true);
        await CreateServingPodAsync(ns, "b", "10.42.7.3", ready: false);
        var service = await CreateServiceAsync(ns, "web", WebLabels);

        var endpoints = await LiveClusterFixture.EventuallyAsync(
            async () => await EndpointsAsync(ns, "web") is { Subsets.Count: 1 } e && e.Subsets[0].NotReadyAddresses?.Count == 1 ? e : null,
            "Endpoints with one ready and one not-ready address");
        Assert.Equal("10.42.7.2", Assert.Single(endpoints.Subsets[0].Addresses).Ip);
        Assert.Equal("10.42.7.3", Assert.Single(endpoints.Subsets[0].NotReadyAddresses).Ip);
        Assert.Equal(8080, Assert.Single(endpoints.Subsets[0].Ports).Port);
        Assert.Equal("t", endpoints.Metadata.Labels["team"]);

        var slice = await LiveClusterFixture.EventuallyAsync(
            async () => (await SlicesAsync(ns, "web")).SingleOrDefault(s => s.Endpoints?.Count == 2),
            "an EndpointSlice with both pods");
        Assert.Equal("IPv4", slice.AddressType);
        Assert.StartsWith("web-", slice.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal(EndpointSliceLogic.ControllerName, slice.Metadata.Labels[EndpointSliceLogic.ManagedByLabel]);
        Assert.Equal(service.Metadata.Uid, Assert.Single(slice.Metadata.OwnerReferences).Uid);
        var byIp = slice.Endpoints.ToDictionary(e => e.Addresses[0]);
        Assert.True(byIp["10.42.7.2"].Conditions.Ready);
        Assert.False(byIp["10.42.7.3"].Conditions.Ready);
        Assert.Equal("a", byIp["10.42.7.2"].TargetRef.Name);
    }

    [Fact]
    public async Task PodReadinessChange_MovesTheAddressPromptly()
    {
        var ns = await cluster.CreateNamespaceAsync();
        var pod = await CreateServingPodAsync(ns, "a", "10.42.8.2", ready: true);
        await CreateServiceAsync(ns, "web", WebLabels);
        await LiveClusterFixture.EventuallyAsync(
            async () => (await SlicesAsync(ns, "web")).SingleOrDefault(s => s.Endpoints?.SingleOrDefault()?.Conditions.Ready == true),
            "the ready pod in the slice");
        await LiveClusterFixture.EventuallyAsync(
            async () => await EndpointsAsync(ns, "web") is { Subsets: [{ Addresses.Count: 1 }] } e ? e : null,
            "the ready pod in the Endpoints");

        // Watch rather than poll, so the measured delay is the controllers' and not a polling interval.
        using var watchStop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var sliceSeen = WaitForAsync<V1EndpointSlice>(ns, s => s.Endpoints?.SingleOrDefault()?.Conditions.Ready == false, watchStop.Token);
        var endpointsSeen = WaitForAsync<V1Endpoints>(ns, e => e.Subsets is [{ NotReadyAddresses.Count: 1 }], watchStop.Token);
        await Task.Delay(200); // let both watches start
        var clock = Stopwatch.StartNew();
        await SetPodStatusAsync(pod, "10.42.8.2", ready: false);
        await sliceSeen;
        var sliceDelay = clock.Elapsed;
        await endpointsSeen;
        output.WriteLine($"not-ready seen in the EndpointSlice after {sliceDelay.TotalMilliseconds:F0} ms, in the Endpoints after {clock.Elapsed.TotalMilliseconds:F0} ms");

        // And back.
        await SetPodStatusAsync(pod, "10.42.8.2", ready: true);
        await LiveClusterFixture.EventuallyAsync(
            async () => await EndpointsAsync(ns, "web") is { Subsets: [{ Addresses.Count: 1 }] } e && e.Subsets[0].NotReadyAddresses is null or { Count: 0 } ? e : null,
            "the pod ready again in the Endpoints");
    }

    private async Task WaitForAsync<T>(string ns, Func<T, bool> done, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resources = new Stevedore.Client.Resources.ResourceClient<T>(Client);
        await foreach (var e in resources.WatchAsync(ns, cancellationToken: cancellationToken))
        {
            if (e.Object is { } obj && done(obj))
            {
                return;
            }
        }
    }

    [Fact]
    public async Task NamedTargetPort_ResolvesPerPodAndHostnameFollowsSubdomain()
    {
        var ns = await cluster.CreateNamespaceAsync();
        await CreateServingPodAsync(ns, "web-0", "10.42.9.2", ready: true, ports: [new V1ContainerPort { Name = "http", ContainerPort = 8080 }], hostname: "web-0", subdomain: "nginx");
        await CreateServingPodAsync(ns, "web-1", "10.42.9.3", ready: true, ports: [new V1ContainerPort { Name = "http", ContainerPort = 9090 }], hostname: "web-1", subdomain: "nginx");
        var ports = new List<V1ServicePort> { new() { Name = "web", Port = 80, TargetPort = "http" } };
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "nginx" },
            Spec = new V1ServiceSpec { ClusterIP = "None", Selector = WebLabels, Ports = ports },
        }, ns);

        var slices = await LiveClusterFixture.EventuallyAsync(
            async () => await SlicesAsync(ns, "nginx") is { Count: 2 } s && s.All(x => x.Endpoints?.Count == 1) ? s : null,
            "one slice per resolved port");
        Assert.Equal([8080, 9090], slices.Select(s => s.Ports.Single().Port!.Value).Order());
        Assert.Equal(["web-0", "web-1"], slices.Select(s => s.Endpoints.Single().Hostname).Order());
        Assert.All(slices, s => Assert.True(s.Metadata.Labels.ContainsKey("service.kubernetes.io/headless")));

        var endpoints = await LiveClusterFixture.EventuallyAsync(
            async () => await EndpointsAsync(ns, "nginx") is { Subsets.Count: 2 } e ? e : null,
            "two subsets, one per resolved port");
        Assert.Equal(["web-0", "web-1"], endpoints.Subsets.Select(s => s.Addresses.Single().Hostname).Order());
    }

    [Fact]
    public async Task ServiceWithoutSelector_LeavesUserEndpointsAlone()
    {
        var ns = await cluster.CreateNamespaceAsync();
        await CreateServingPodAsync(ns, "a", "10.42.10.2", ready: true);
        await CreateServiceAsync(ns, "external", selector: null);
        var userEndpoints = await Client.CoreV1.CreateNamespacedEndpointsAsync(new V1Endpoints
        {
            Metadata = new V1ObjectMeta { Name = "external" },
            Subsets = [new V1EndpointSubset { Addresses = [new V1EndpointAddress { Ip = "192.0.2.10" }], Ports = [new Corev1EndpointPort { Port = 5432 }] }],
        }, ns);

        // A Service with a selector created afterwards is handled; by then the other has long been seen.
        await CreateServiceAsync(ns, "web", WebLabels);
        await LiveClusterFixture.EventuallyAsync(async () => (await SlicesAsync(ns, "web")).FirstOrDefault(s => s.Endpoints?.Count == 1), "the selected Service's slice");
        var after = await Client.CoreV1.ReadNamespacedEndpointsAsync("external", ns);
        Assert.Equal(userEndpoints.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
        Assert.Empty(await SlicesAsync(ns, "external"));
    }

    [Fact]
    public async Task SettledEndpoints_AreNotRewritten()
    {
        // A desired state that never compares equal to what the server stores would loop forever.
        var ns = await cluster.CreateNamespaceAsync();
        await CreateServingPodAsync(ns, "a", "10.42.12.2", ready: true);
        await CreateServingPodAsync(ns, "b", "10.42.12.3", ready: false);
        await CreateServiceAsync(ns, "plain", WebLabels, ports: [new V1ServicePort { Port = 80, TargetPort = 8080 }]);
        await CreateServiceAsync(ns, "lb", WebLabels, type: "LoadBalancer");
        var slices = await LiveClusterFixture.EventuallyAsync(async () => await SlicesAsync(ns, "plain") is [{ Endpoints.Count: 2 }] s ? s : null, "the slice");
        var endpoints = await LiveClusterFixture.EventuallyAsync(() => EndpointsAsync(ns, "plain"), "the Endpoints");

        // Work queued after ours has been done once another Service's endpoints show up.
        await CreateServiceAsync(ns, "later", WebLabels);
        await LiveClusterFixture.EventuallyAsync(async () => (await SlicesAsync(ns, "later")).FirstOrDefault(s => s.Endpoints?.Count == 2), "the later slice");
        await LiveClusterFixture.EventuallyAsync(() => EndpointsAsync(ns, "later"), "the later Endpoints");
        await Task.Delay(500);
        Assert.Equal(slices[0].Metadata.ResourceVersion, (await SlicesAsync(ns, "plain")).Single().Metadata.ResourceVersion);
        Assert.Equal(endpoints.Metadata.ResourceVersion, (await EndpointsAsync(ns, "plain"))!.Metadata.ResourceVersion);
        var lbVersion = (await Client.CoreV1.ReadNamespacedServiceAsync("lb", ns)).Metadata.ResourceVersion;
        await Task.Delay(500);
        Assert.Equal(lbVersion, (await Client.CoreV1.ReadNamespacedServiceAsync("lb", ns)).Metadata.ResourceVersion);
    }

    [Fact]
    public async Task ServiceDeleted_ItsEndpointsAndSlicesGo()
    {
        var ns = await cluster.CreateNamespaceAsync();
        await CreateServingPodAsync(ns, "a", "10.42.11.2", ready: true);
        await CreateServiceAsync(ns, "web", WebLabels);
        await LiveClusterFixture.EventuallyAsync(async () => (await SlicesAsync(ns, "web")).FirstOrDefault(s => s.Endpoints?.Count == 1), "the slice");
        await LiveClusterFixture.EventuallyAsync(async () => (await Client.CoreV1.ListNamespacedEndpointsAsync(ns)).Items.FirstOrDefault(), "the Endpoints");

        await Client.CoreV1.DeleteNamespacedServiceAsync("web", ns);
        await LiveClusterFixture.EventuallyAsync(async () => (await Client.CoreV1.ListNamespacedEndpointsAsync(ns)).Items.Count == 0 ? "gone" : null, "the Endpoints to go");
        await LiveClusterFixture.EventuallyAsync(async () => (await SlicesAsync(ns, "web")).Count == 0 ? "gone" : null, "the slices to be collected");
    }

    [Fact]
    public async Task ManySelectedPods_SpreadOverSlicesOfAtMostAHundred()
    {
        var ns = await cluster.CreateNamespaceAsync();
        await CreateServiceAsync(ns, "web", WebLabels);
        await Task.WhenAll(Enumerable.Range(0, 130).Select(i => CreateServingPodAsync(ns, $"p{i}", $"10.44.{i / 200}.{(i % 200) + 1}", ready: true)));
        var slices = await LiveClusterFixture.EventuallyAsync(
            async () => await SlicesAsync(ns, "web") is { } s && s.Sum(x => x.Endpoints?.Count ?? 0) == 130 ? s : null,
            "130 endpoints over the slices");
        Assert.Equal(2, slices.Count);
        Assert.All(slices, s => Assert.InRange(s.Endpoints.Count, 1, 100));
    }

    [Fact]
    public async Task LoadBalancer_GetsReadyNodeAddressesAsIngress_AndLosesThemWhenTheNodeGoesSilent()
    {
        var nodeName = "lb-" + Guid.NewGuid().ToString("N")[..8];
        var nodeIp = $"192.0.2.{Random.Shared.Next(2, 250)}";
        var ns = await cluster.CreateNamespaceAsync();
        await Client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = nodeName },
            Status = new V1NodeStatus
            {
                Addresses = [new V1NodeAddress { Type = "InternalIP", Address = nodeIp }],
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", LastHeartbeatTime = DateTime.UtcNow }],
            },
        });
        using var heartbeats = new CancellationTokenSource();
        var beating = HeartbeatAsync(nodeName, heartbeats.Token);
        try
        {
            await CreateServiceAsync(ns, "lb", WebLabels, type: "LoadBalancer");
            await LiveClusterFixture.EventuallyAsync(
                async () => (await Client.CoreV1.ReadNamespacedServiceAsync("lb", ns)).Status?.LoadBalancer?.Ingress?.FirstOrDefault(i => i.Ip == nodeIp),
                "the node address as ingress");

            await heartbeats.CancelAsync();
            await beating;
            await LiveClusterFixture.EventuallyAsync(
                async () => (await Client.CoreV1.ReadNamespacedServiceAsync("lb", ns)).Status?.LoadBalancer?.Ingress?.Any(i => i.Ip == nodeIp) == true ? null : "gone",
                "the silent node's address to leave the ingress");
        }
        finally
        {
            await heartbeats.CancelAsync();
            await Client.CoreV1.DeleteNodeAsync(nodeName);
        }
    }

    // Renews the node's Lease as a kubelet would, so the node lifecycle controller keeps it Ready.
    private async Task HeartbeatAsync(string nodeName, CancellationToken cancellationToken)
    {
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = nodeName },
            Spec = new V1LeaseSpec { HolderIdentity = nodeName, LeaseDurationSeconds = 40, RenewTime = DateTime.UtcNow },
        };
        lease = await Client.CoordinationV1.CreateNamespacedLeaseAsync(lease, "kube-node-lease", cancellationToken: CancellationToken.None);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(300, cancellationToken);
                lease.Spec.RenewTime = DateTime.UtcNow;
                lease = await Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, nodeName, "kube-node-lease", cancellationToken: CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await Client.CoordinationV1.DeleteNamespacedLeaseAsync(nodeName, "kube-node-lease");
        }
    }
}
