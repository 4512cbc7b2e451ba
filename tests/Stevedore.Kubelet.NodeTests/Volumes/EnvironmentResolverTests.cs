using System.Runtime.Versioning;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Stevedore.Client.Informers;
using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet.NodeTests.Volumes;

[Collection(VolumeClusterCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class EnvironmentResolverTests(VolumeClusterFixture cluster)
{
    private IKubernetes Api => cluster.Client;

    private EnvironmentResolver Resolver()
    {
        var sources = new ApiPodSources(Api);
        return new EnvironmentResolver(sources, new NodeAllocatable(sources, TimeProvider.System), NullLogger.Instance);
    }

    private static V1Pod Pod(string ns, V1Container container, string? nodeName = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web-0", NamespaceProperty = ns, Uid = Guid.NewGuid().ToString(), Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec { Containers = [container], NodeName = nodeName, ServiceAccountName = "default", EnableServiceLinks = false },
        Status = new V1PodStatus { PodIP = "10.42.0.9", HostIP = "127.0.0.1" },
    };

    private async Task<Dictionary<string, string>> ResolveAsync(V1Pod pod)
    {
        var env = await Resolver().ResolveAsync(pod, pod.Spec.Containers[0], CancellationToken.None);
        Assert.Equal(env.Count, env.Select(e => e.Key).Distinct().Count());
        return env.ToDictionary(e => e.Key, e => e.Value);
    }

    [Fact]
    public async Task Resolve_EnvFromThenEnvInOrder_WithExpansionEscapesAndPrefixes()
    {
        var ns = await cluster.CreateNamespaceAsync();
        await Api.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "settings" },
            Data = new Dictionary<string, string> { ["MODE"] = "prod", ["1INVALID"] = "skipped", ["HOST"] = "db" },
        }, ns);
        await Api.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "creds" },
            Data = new Dictionary<string, byte[]> { ["PASSWORD"] = Encoding.UTF8.GetBytes("s3cret"), ["USER"] = Encoding.UTF8.GetBytes("app") },
        }, ns);
        var container = new V1Container
        {
            Name = "c",
            EnvFrom =
            [
                new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "settings" } },
                new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "creds" }, Prefix = "DB_" },
                new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "absent", Optional = true } },
            ],
            Env =
            [
                new V1EnvVar { Name = "URL", Value = "postgres://$(DB_USER):$(DB_PASSWORD)@$(HOST)/$(LATER)" },
                new V1EnvVar { Name = "LATER", Value = "x" },
                new V1EnvVar { Name = "LITERAL", Value = "$$(HOST) costs $$5 and $(UNKNOWN) stays" },
                new V1EnvVar { Name = "MODE", Value = "debug-$(MODE)" },
            ],
        };

        var env = await Resolver().ResolveAsync(Pod(ns, container), container, CancellationToken.None);

        // The `kubernetes` Service's variables follow the container's own, even with service links off (as upstream).
        Assert.Equal(["HOST", "MODE", "DB_PASSWORD", "DB_USER", "URL", "LATER", "LITERAL"], env.Select(e => e.Key).Take(7));
        Assert.All(env.Skip(7), e => Assert.StartsWith("KUBERNETES_", e.Key));
        Assert.Contains(env, e => e.Key == "KUBERNETES_SERVICE_HOST");
        var values = env.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal("postgres://app:s3cret@db/$(LATER)", values["URL"]);
        Assert.Equal("$(HOST) costs $5 and $(UNKNOWN) stays", values["LITERAL"]);
        Assert.Equal("debug-prod", values["MODE"]);
    }

    [Fact]
    public async Task Resolve_KeyRefs_OptionalMissingIsSkipped_RequiredMissingIsCreateContainerConfigError()
    {
        var ns = await cluster.CreateNamespaceAsync();
        await Api.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" }, Data = new Dictionary<string, string> { ["level"] = "info" } }, ns);
        await Api.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" }, StringData = new Dictionary<string, string> { ["token"] = "t0k" } }, ns);

        var ok = new V1Container
        {
            Name = "c",
            Env =
            [
                new V1EnvVar { Name = "LEVEL", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "cm", Key = "level" } } },
                new V1EnvVar { Name = "TOKEN", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "s", Key = "token" } } },
                new V1EnvVar { Name = "NOKEY", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "cm", Key = "nope", Optional = true } } },
                new V1EnvVar { Name = "NOMAP", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "ghost", Key = "k", Optional = true } } },
            ],
        };
        var values = await ResolveAsync(Pod(ns, ok));
        Assert.Equal("info", values["LEVEL"]);
        Assert.Equal("t0k", values["TOKEN"]);
        Assert.False(values.ContainsKey("NOKEY"));
        Assert.False(values.ContainsKey("NOMAP"));

        async Task<PodConfigException> FailsAsync(V1EnvVarSource source)
        {
            var container = new V1Container { Name = "c", Env = [new V1EnvVar { Name = "X", ValueFrom = source }] };
            return await Assert.ThrowsAsync<PodConfigException>(() => ResolveAsync(Pod(ns, container)));
        }

        var missingMap = await FailsAsync(new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "ghost", Key = "k" } });
        Assert.Equal("CreateContainerConfigError", missingMap.Reason);
        Assert.Equal("configmap \"ghost\" not found", missingMap.Message);
        Assert.Equal($"couldn't find key nope in ConfigMap {ns}/cm",
            (await FailsAsync(new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "cm", Key = "nope" } })).Message);
        Assert.Equal("secret \"ghost\" not found",
            (await FailsAsync(new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "ghost", Key = "k" } })).Message);
        Assert.Equal($"couldn't find key nope in Secret {ns}/s",
            (await FailsAsync(new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "s", Key = "nope" } })).Message);

        var envFrom = new V1Container { Name = "c", EnvFrom = [new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "ghost" } }] };
        Assert.Equal("secret \"ghost\" not found", (await Assert.ThrowsAsync<PodConfigException>(() => ResolveAsync(Pod(ns, envFrom)))).Message);
    }

    [Fact]
    public async Task Resolve_DownwardApi_FieldsAndResources_UnsetLimitsAreTheNodesAllocatable()
    {
        var ns = await cluster.CreateNamespaceAsync();
        var nodeName = "node-" + Guid.NewGuid().ToString("N")[..8];
        await Api.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = nodeName },
        });
        var node = await Api.CoreV1.ReadNodeAsync(nodeName);
        node.Status = new V1NodeStatus { Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("3"), ["memory"] = new("2Gi") } };
        await Api.CoreV1.ReplaceNodeStatusAsync(node, nodeName);
        var container = new V1Container
        {
            Name = "c",
            Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m") } },
            Env =
            [
                new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
                new V1EnvVar { Name = "POD_NS", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.namespace" } } },
                new V1EnvVar { Name = "APP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.labels['app']" } } },
                new V1EnvVar { Name = "NODE", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "spec.nodeName" } } },
                new V1EnvVar { Name = "SA", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "spec.serviceAccountName" } } },
                new V1EnvVar { Name = "POD_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } },
                new V1EnvVar { Name = "HOST_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.hostIP" } } },
                new V1EnvVar { Name = "CPU_MILLIS", ValueFrom = new V1EnvVarSource { ResourceFieldRef = new V1ResourceFieldSelector { Resource = "limits.cpu", Divisor = new ResourceQuantity("1m") } } },
                new V1EnvVar { Name = "MEM_MI", ValueFrom = new V1EnvVarSource { ResourceFieldRef = new V1ResourceFieldSelector { Resource = "limits.memory", Divisor = new ResourceQuantity("1Mi") } } },
                new V1EnvVar { Name = "GREETING", Value = "hello $(POD_NAME) on $(NODE)" },
            ],
        };

        var values = await ResolveAsync(Pod(ns, container, nodeName));

        Assert.Equal("web-0", values["POD_NAME"]);
        Assert.Equal(ns, values["POD_NS"]);
        Assert.Equal("web", values["APP"]);
        Assert.Equal(nodeName, values["NODE"]);
        Assert.Equal("default", values["SA"]);
        Assert.Equal("10.42.0.9", values["POD_IP"]);
        Assert.Equal("127.0.0.1", values["HOST_IP"]);
        Assert.Equal("500", values["CPU_MILLIS"]);
        Assert.Equal("2048", values["MEM_MI"]);
        Assert.Equal($"hello web-0 on {nodeName}", values["GREETING"]);
        await Api.CoreV1.DeleteNodeAsync(nodeName);
    }

    [Fact]
    public async Task Resolve_ServiceLinks_AddServiceVariables_ThatExplicitEnvOverrides()
    {
        var ns = await cluster.CreateNamespaceAsync();
        await Api.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "redis-primary" },
            Spec = new V1ServiceSpec { ClusterIP = "10.43.77.7", Ports = [new V1ServicePort { Port = 6379, Name = "redis" }] },
        }, ns);
        var container = new V1Container
        {
            Name = "c",
            Env =
            [
                new V1EnvVar { Name = "REDIS", Value = "$(REDIS_PRIMARY_SERVICE_HOST):$(REDIS_PRIMARY_SERVICE_PORT)" },
                new V1EnvVar { Name = "REDIS_PRIMARY_PORT", Value = "mine" },
            ],
        };
        var pod = Pod(ns, container);
        pod.Spec.EnableServiceLinks = true;

        var env = await Resolver().ResolveAsync(pod, container, CancellationToken.None);
        var values = env.ToDictionary(e => e.Key, e => e.Value);

        Assert.Equal("10.43.77.7:6379", values["REDIS"]);
        Assert.Equal("10.43.77.7", values["REDIS_PRIMARY_SERVICE_HOST"]);
        Assert.Equal("6379", values["REDIS_PRIMARY_SERVICE_PORT_REDIS"]);
        Assert.Equal("tcp://10.43.77.7:6379", values["REDIS_PRIMARY_PORT_6379_TCP"]);
        Assert.Equal("mine", values["REDIS_PRIMARY_PORT"]);
        Assert.Equal(["REDIS", "REDIS_PRIMARY_PORT"], env.Take(2).Select(e => e.Key));

        pod.Spec.EnableServiceLinks = false;
        var without = await ResolveAsync(pod);
        Assert.False(without.ContainsKey("REDIS_PRIMARY_SERVICE_HOST"));
        Assert.Equal("$(REDIS_PRIMARY_SERVICE_HOST):$(REDIS_PRIMARY_SERVICE_PORT)", without["REDIS"]);
    }

    [Fact]
    public async Task Resolve_ServiceListerSources_ServiceVariablesFromTheInformerCache_TheApiOnlyBeforeItSynced()
    {
        var ns = await cluster.CreateNamespaceAsync();
        await Api.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "cache-me" },
            Spec = new V1ServiceSpec { ClusterIP = "10.43.77.8", Ports = [new V1ServicePort { Port = 8080 }] },
        }, ns);
        // The inner sources cannot reach any API server: whatever the resolver gets, it got from the cache.
        using var unreachable = new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" });
        await using var informers = new SharedInformerFactory(Api);
        var services = informers.GetInformer<V1Service>();
        var sources = new ServiceListerPodSources(new ApiPodSources(unreachable), services);
        var resolver = new EnvironmentResolver(sources, new NodeAllocatable(sources, TimeProvider.System), NullLogger.Instance);
        var container = new V1Container { Name = "c" };
        var pod = Pod(ns, container);
        pod.Spec.EnableServiceLinks = true;

        var beforeSync = await Assert.ThrowsAsync<PodConfigException>(() => resolver.ResolveAsync(pod, container, CancellationToken.None));
        Assert.Equal("CreateContainerConfigError", beforeSync.Reason);

        using var stop = new CancellationTokenSource();
        informers.Start(stop.Token);
        Assert.True(await informers.WaitForCacheSyncAsync(stop.Token));
        var values = (await resolver.ResolveAsync(pod, container, CancellationToken.None)).ToDictionary(e => e.Key, e => e.Value);

        Assert.Equal("10.43.77.8", values["CACHE_ME_SERVICE_HOST"]);
        Assert.Equal("tcp://10.43.77.8:8080", values["CACHE_ME_PORT"]);
        await stop.CancelAsync();
    }

    [Fact]
    public async Task ApiUnreachable_EnvIsCreateContainerConfigError_VolumesAreFailedMount()
    {
        // Nothing listens on loopback port 1: every read fails at once, as when the API server is down.
        using var unreachable = new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" });
        var sources = new ApiPodSources(unreachable);
        var container = new V1Container { Name = "c", Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "cm", Key = "k" } } }] };
        var pod = Pod("anywhere", container);

        var envError = await Assert.ThrowsAsync<PodConfigException>(() =>
            new EnvironmentResolver(sources, new NodeAllocatable(sources, TimeProvider.System), NullLogger.Instance).ResolveAsync(pod, container, CancellationToken.None));
        Assert.Equal("CreateContainerConfigError", envError.Reason);

        pod.Spec.Volumes = [new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "cm" } }];
        var root = Directory.CreateTempSubdirectory("stevedore-volumes-unreachable-").FullName;
        try
        {
            var volumes = new VolumeManager(root, sources, TimeProvider.System, NullLogger.Instance);
            var mountError = await Assert.ThrowsAsync<PodConfigException>(() => volumes.SetUpAsync(pod, CancellationToken.None));
            Assert.Equal("FailedMount", mountError.Reason);
            Assert.StartsWith("MountVolume.SetUp failed for volume \"cfg\" : ", mountError.Message, StringComparison.Ordinal);
            await volumes.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
