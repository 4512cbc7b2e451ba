using k8s;
using k8s.Models;

namespace Stevedore.Client.Cache;

/// <summary>Built-in index names and functions.</summary>
public static class Indexes
{
    /// <summary>The index every <see cref="Indexer{T}"/> has: objects by metadata.namespace ("" when cluster-scoped).</summary>
    public const string Namespace = "namespace";

    public static IEnumerable<string> ByNamespace(IKubernetesObject<V1ObjectMeta> obj) => [obj.Metadata?.NamespaceProperty ?? ""];
}
