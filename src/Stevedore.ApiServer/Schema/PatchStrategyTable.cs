using System.Collections.Frozen;
using k8s.Models;

namespace Stevedore.ApiServer.Schema;

/// <summary>
/// The merge metadata of built-in kinds, keyed by model type and JSON property name.
/// Facts (field names, merge keys, list types) follow the published Kubernetes API: the
/// <c>patchStrategy</c>/<c>patchMergeKey</c> struct tags and the <c>+listType</c>,
/// <c>+listMapKey</c> and <c>+structType</c> markers of k8s.io/api.
/// </summary>
/// <remarks>
/// Only fields that upstream tags are listed. A list field absent from the table is atomic
/// for server-side apply and replaced whole by a strategic merge patch, as upstream.
/// </remarks>
public static class PatchStrategyTable
{
    private static readonly FrozenDictionary<(Type, string), FieldPatchInfo> Fields = Build().ToFrozenDictionary();

    // Upstream marks these structs "+structType=atomic": apply owns them as one value.
    private static readonly FrozenSet<Type> AtomicStructs = new[]
    {
        typeof(V1LabelSelector), typeof(V1LocalObjectReference), typeof(V1ObjectReference),
        typeof(V1TypedLocalObjectReference), typeof(V1NodeSelector), typeof(V1ConfigMapKeySelector),
        typeof(V1SecretKeySelector), typeof(V1ObjectFieldSelector), typeof(V1ResourceFieldSelector),
    }.ToFrozenSet();

    /// <summary>The metadata of <paramref name="jsonProperty"/> on <paramref name="modelType"/>, or null when it has none.</summary>
    public static FieldPatchInfo? Find(Type modelType, string jsonProperty)
    {
        ArgumentNullException.ThrowIfNull(modelType);
        return Fields.GetValueOrDefault((modelType, jsonProperty));
    }

    /// <summary>True when upstream declares the struct atomic (<c>+structType=atomic</c>).</summary>
    public static bool IsAtomicStruct(Type modelType) => AtomicStructs.Contains(modelType);

    /// <summary>Every entry of the table, for OpenAPI extensions and tests.</summary>
    public static IEnumerable<KeyValuePair<(Type ModelType, string JsonProperty), FieldPatchInfo>> All => Fields;

    private static Dictionary<(Type, string), FieldPatchInfo> Build()
    {
        var t = new Dictionary<(Type, string), FieldPatchInfo>();

        void MergeMap(Type type, string field, string mergeKey, params string[] mapKeys) =>
            t.Add((type, field), new FieldPatchInfo("merge", mergeKey, ListType.Map, mapKeys.Length == 0 ? [mergeKey] : mapKeys));
        void MergeRetainMap(Type type, string field, string mergeKey) =>
            t.Add((type, field), new FieldPatchInfo("merge,retainKeys", mergeKey, ListType.Map, [mergeKey]));
        void MergeAtomic(Type type, string field, string mergeKey) =>
            t.Add((type, field), new FieldPatchInfo("merge", mergeKey, ListType.Atomic, []));
        void MergeSet(Type type, string field) =>
            t.Add((type, field), new FieldPatchInfo("merge", null, ListType.Set, []));
        void Map(Type type, string field, params string[] mapKeys) =>
            t.Add((type, field), new FieldPatchInfo(null, null, ListType.Map, mapKeys));
        void Set(Type type, string field) =>
            t.Add((type, field), new FieldPatchInfo(null, null, ListType.Set, []));
        void Strategy(Type type, string field, string strategy) =>
            t.Add((type, field), new FieldPatchInfo(strategy, null, null, []));

        // metadata
        MergeSet(typeof(V1ObjectMeta), "finalizers");
        MergeMap(typeof(V1ObjectMeta), "ownerReferences", "uid");

        // pods
        var spec = typeof(V1PodSpec);
        MergeMap(spec, "containers", "name");
        MergeMap(spec, "initContainers", "name");
        MergeMap(spec, "ephemeralContainers", "name");
        MergeRetainMap(spec, "volumes", "name");
        MergeMap(spec, "imagePullSecrets", "name");
        MergeMap(spec, "hostAliases", "ip");
        MergeMap(spec, "topologySpreadConstraints", "topologyKey", "topologyKey", "whenUnsatisfiable");
        MergeRetainMap(spec, "resourceClaims", "name");
        MergeMap(spec, "schedulingGates", "name");

        foreach (var container in new[] { typeof(V1Container), typeof(V1EphemeralContainer) })
        {
            MergeMap(container, "ports", "containerPort", "containerPort", "protocol");
            MergeMap(container, "env", "name");
            MergeMap(container, "volumeMounts", "mountPath");
            MergeMap(container, "volumeDevices", "devicePath");
        }

        MergeMap(typeof(V1ContainerStatus), "volumeMounts", "mountPath");
        MergeMap(typeof(V1ContainerStatus), "allocatedResourcesStatus", "name");
        MergeMap(typeof(V1PodStatus), "conditions", "type");
        MergeMap(typeof(V1PodStatus), "podIPs", "ip");
        MergeAtomic(typeof(V1PodStatus), "hostIPs", "ip");
        MergeRetainMap(typeof(V1PodStatus), "resourceClaimStatuses", "name");

        // services, nodes and the rest of core
        MergeMap(typeof(V1ServiceSpec), "ports", "port", "port", "protocol");
        MergeMap(typeof(V1ServiceStatus), "conditions", "type");
        MergeSet(typeof(V1NodeSpec), "podCIDRs");
        MergeMap(typeof(V1NodeStatus), "conditions", "type");
        MergeAtomic(typeof(V1NodeStatus), "addresses", "type");
        MergeMap(typeof(V1NamespaceStatus), "conditions", "type");
        MergeMap(typeof(V1PersistentVolumeClaimStatus), "conditions", "type");
        MergeMap(typeof(V1ReplicationControllerStatus), "conditions", "type");
        MergeMap(typeof(V1ServiceAccount), "secrets", "name");

        // apps
        Strategy(typeof(V1DeploymentSpec), "strategy", "retainKeys");
        MergeMap(typeof(V1DeploymentStatus), "conditions", "type");
        MergeMap(typeof(V1ReplicaSetStatus), "conditions", "type");
        MergeMap(typeof(V1StatefulSetStatus), "conditions", "type");
        MergeMap(typeof(V1DaemonSetStatus), "conditions", "type");

        // batch: job conditions merge by type for patches but are atomic for apply
        MergeAtomic(typeof(V1JobStatus), "conditions", "type");
        Set(typeof(V1UncountedTerminatedPods), "succeeded");
        Set(typeof(V1UncountedTerminatedPods), "failed");

        // autoscaling, policy
        MergeMap(typeof(V2HorizontalPodAutoscalerStatus), "conditions", "type");
        Strategy(typeof(V1PodDisruptionBudgetSpec), "selector", "replace");
        MergeMap(typeof(V1PodDisruptionBudgetStatus), "conditions", "type");

        // admission, storage, apiextensions
        MergeMap(typeof(V1MutatingWebhookConfiguration), "webhooks", "name");
        MergeMap(typeof(V1ValidatingWebhookConfiguration), "webhooks", "name");
        MergeMap(typeof(V1MutatingWebhook), "matchConditions", "name");
        MergeMap(typeof(V1ValidatingWebhook), "matchConditions", "name");
        MergeMap(typeof(V1CSINodeSpec), "drivers", "name");
        Set(typeof(V1CSIDriverSpec), "volumeLifecycleModes");
        Map(typeof(V1CustomResourceDefinitionStatus), "conditions", "type");

        return t;
    }
}
