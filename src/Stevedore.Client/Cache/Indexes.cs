using k8s;
using k8s.Models;

namespace Stevedore.Client.Cache;

/// <summary>Built-in index names and functions.</summary>
public static class Indexes
{
    /// <summary>The index every <see cref="Indexer{T}"/> has: objects by metadata.namespace ("" when cluster-scoped).</summary>
    public const string Namespace = "namespace";

    public static IEnumerable<string> ByNamespace(IKubernetesObject<V1ObjectMeta> obj) => [obj.Metadata?.NamespaceProperty ?? ""];

    /// <summary>Pods by <c>spec.nodeName</c> (unscheduled pods are in no bucket). Add it with <see cref="Indexer{T}.TryAddIndexer"/>.</summary>
    public const string PodNodeName = "spec.nodeName";

    public static IEnumerable<string> ByPodNodeName(V1Pod pod) =>
        pod.Spec?.NodeName is { Length: > 0 } node ? [node] : [];
}
