using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;
using Stevedore.Client.Serialization;

namespace Stevedore.Client.Tests.Serialization;

public sealed class ModelJsonTests
{
    private const string PodJson = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"team-a","uid":"u-1","resourceVersion":"42",
        "creationTimestamp":"2026-11-25T03:00:00Z","labels":{"app":"web"},"annotations":{"a":"b"},
        "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-1","uid":"rs-1","controller":true}],
        "managedFields":[{"manager":"kubectl","operation":"Apply","apiVersion":"v1","time":"2026-11-25T03:00:00Z",
        "fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:app":{}}}}}]},
        "spec":{"nodeName":"node-a","restartPolicy":"Always","terminationGracePeriodSeconds":30,
        "containers":[{"name":"app","image":"busybox","command":["sh","-c","sleep 1d"],
        "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],
        "resources":{"limits":{"cpu":"500m","memory":"64Mi"},"requests":{"cpu":"100m"}},
        "readinessProbe":{"httpGet":{"path":"/","port":"http"},"periodSeconds":3},
        "livenessProbe":{"tcpSocket":{"port":8080}},
        "env":[{"name":"POD","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
        "volumeMounts":[{"name":"data","mountPath":"/data"}]}],
        "volumes":[{"name":"data","emptyDir":{"medium":"Memory","sizeLimit":"1Gi"}},
        {"name":"token","projected":{"sources":[{"serviceAccountToken":{"audience":"api","expirationSeconds":3600,"path":"token"}}]}}],
        "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]},
        "status":{"phase":"Running","podIP":"10.42.0.5","podIPs":[{"ip":"10.42.0.5"}],"startTime":"2026-11-25T03:00:01Z",
        "conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-11-25T03:00:02Z"}],
        "containerStatuses":[{"name":"app","ready":true,"restartCount":2,"image":"busybox","imageID":"sha256:1",
        "containerID":"stevedore://c1","started":true,"state":{"running":{"startedAt":"2026-11-25T03:00:02.123456Z"}},
        "lastState":{"terminated":{"exitCode":137,"reason":"OOMKilled","startedAt":"2026-11-25T02:59:00Z","finishedAt":"2026-11-25T02:59:59Z"}}}],
        "qosClass":"Burstable"}}
        """;

    private static readonly JsonSerializerOptions KubernetesClientOptions = CapturedKubernetesJsonOptions();

    [Fact]
    public void Pod_ReadAndWrittenThroughTheContext_SameJsonAsKubernetesClientAlone()
    {
        var ours = Ours(KubernetesClientOptions.TypeInfoResolver);

        var theirs = JsonSerializer.Serialize(JsonSerializer.Deserialize<V1Pod>(PodJson, KubernetesClientOptions), KubernetesClientOptions);
        var mine = JsonSerializer.Serialize(JsonSerializer.Deserialize<V1Pod>(PodJson, ours), ours);

        Assert.Equal(theirs, mine);
        Assert.Contains("\"fieldsV1\":{\"f:metadata\"", mine, StringComparison.Ordinal);
        Assert.Contains("\"port\":\"http\"", mine, StringComparison.Ordinal);
        Assert.Contains("\"startedAt\":\"2026-11-25T03:00:02.123456Z\"", mine, StringComparison.Ordinal);
    }

    [Fact]
    public void StatusPatchAndWatchList_SameJsonAsKubernetesClientAlone()
    {
        var ours = Ours(KubernetesClientOptions.TypeInfoResolver);
        var node = new V1Node { Status = new V1NodeStatus { Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("2") },
            Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", LastHeartbeatTime = new DateTime(2026, 11, 25, 3, 0, 0, DateTimeKind.Utc) }] } };
        var patch = new V1Patch(node, V1Patch.PatchType.MergePatch);
        const string list = """{"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"a"}}]}""";

        Assert.Equal(JsonSerializer.Serialize(patch, KubernetesClientOptions), JsonSerializer.Serialize(patch, ours));
        Assert.Equal(
            JsonSerializer.Serialize(JsonSerializer.Deserialize<KubernetesList<V1Pod>>(list, KubernetesClientOptions), KubernetesClientOptions),
            JsonSerializer.Serialize(JsonSerializer.Deserialize<KubernetesList<V1Pod>>(list, ours), ours));
    }

    [Fact]
    public void AgentModels_NeverReachKubernetesClientsResolver()
    {
        // What falls through to KubernetesClient's context makes it load every model: nothing the agent writes may.
        var passedOn = new List<Type>();
        var ours = Ours(new Recording(KubernetesClientOptions.TypeInfoResolver!, passedOn));

        JsonSerializer.Serialize(JsonSerializer.Deserialize<V1Pod>(PodJson, ours), ours);
        JsonSerializer.Serialize(new V1Patch(new V1Node { Status = new V1NodeStatus { Phase = "Running" } }, V1Patch.PatchType.MergePatch), ours);
        JsonSerializer.Serialize(new V1Lease { Spec = new V1LeaseSpec { HolderIdentity = "node-a", RenewTime = DateTime.UtcNow } }, ours);
        JsonSerializer.Serialize(new Corev1Event { InvolvedObject = new V1ObjectReference { Kind = "Pod" }, Count = 2 }, ours);
        JsonSerializer.Deserialize<KubernetesList<V1EndpointSlice>>("""{"items":[{"endpoints":[{"addresses":["10.42.0.5"]}]}]}""", ours);

        Assert.Empty(passedOn);
    }

    [Fact]
    public void TypesOutsideTheContext_StillResolvedByKubernetesClient()
    {
        var ours = Ours(KubernetesClientOptions.TypeInfoResolver);

        var deployment = JsonSerializer.Deserialize<V1Deployment>("""{"spec":{"replicas":3}}""", ours);

        Assert.Equal(3, deployment!.Spec.Replicas);
    }

    private static JsonSerializerOptions Ours(IJsonTypeInfoResolver? next) =>
        new(KubernetesClientOptions) { TypeInfoResolver = ModelJson.InFrontOf(next) };

    /// <summary>A copy of KubernetesJson's options (converters, naming, resolver) as KubernetesClient configures them.</summary>
    private static JsonSerializerOptions CapturedKubernetesJsonOptions()
    {
        JsonSerializerOptions? captured = null;
        KubernetesJson.AddJsonOptions(o => captured = o);
        return new JsonSerializerOptions(captured!);
    }

    private sealed class Recording(IJsonTypeInfoResolver inner, List<Type> seen) : IJsonTypeInfoResolver
    {
        public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options)
        {
            lock (seen)
            {
                seen.Add(type);
            }

            return inner.GetTypeInfo(type, options);
        }
    }
}
