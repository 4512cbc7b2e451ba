using k8s;
using k8s.Models;
using Stevedore.Client.Selectors;

namespace Stevedore.Client.Cache;

/// <summary>
/// Read access to an informer's cache: no API calls. The objects are shared with the cache
/// and with other controllers; never mutate them (copy first).
/// </summary>
public sealed class Lister<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public Lister(Indexer<T> indexer)
    {
        ArgumentNullException.ThrowIfNull(indexer);
        Indexer = indexer;
    }

    public Indexer<T> Indexer { get; }

    /// <summary>A namespaced object, or null.</summary>
    public T? Get(string? ns, string name) => Indexer.GetByKey(ObjectKeys.For(ns, name));

    /// <summary>A cluster-scoped object, or null.</summary>
    public T? Get(string name) => Indexer.GetByKey(name);

    /// <summary>Every cached object matching <paramref name="selector"/> (all when null).</summary>
    public IReadOnlyList<T> List(LabelSelector? selector = null) => Filter(Indexer.List(), selector);

    /// <summary>The cached objects of one namespace matching <paramref name="selector"/> (all when null).</summary>
    public IReadOnlyList<T> List(string ns, LabelSelector? selector) => Filter(Indexer.ByIndex(Indexes.Namespace, ns), selector);

    private static IReadOnlyList<T> Filter(IReadOnlyList<T> objects, LabelSelector? selector)
    {
        if (selector is null || selector.IsEverything)
        {
            return objects;
        }

        var result = new List<T>();
        foreach (var obj in objects)
        {
            if (selector.Matches(obj.Metadata?.Labels))
            {
                result.Add(obj);
            }
        }

        return result;
    }
}
