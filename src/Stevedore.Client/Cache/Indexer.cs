using k8s;
using k8s.Models;

namespace Stevedore.Client.Cache;

/// <summary>
/// A thread-safe store of objects by key with secondary indexes: always the namespace index,
/// plus any <see cref="IndexFunc{T}"/> added by name. Readers get shared, read-only objects:
/// copy before mutating.
/// </summary>
public sealed class Indexer<T> : IKnownObjects<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IndexFunc<T>> _indexers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _indices = new(StringComparer.Ordinal);

    public Indexer(IReadOnlyDictionary<string, IndexFunc<T>>? indexers = null)
    {
        _indexers[Indexes.Namespace] = Indexes.ByNamespace;
        _indices[Indexes.Namespace] = new(StringComparer.Ordinal);
        if (indexers is not null)
        {
            AddIndexers(indexers);
        }
    }

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _items.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Adds index functions; existing objects are indexed right away.</summary>
    public void AddIndexers(IReadOnlyDictionary<string, IndexFunc<T>> indexers)
    {
        ArgumentNullException.ThrowIfNull(indexers);
        _lock.EnterWriteLock();
        try
        {
            foreach (var (name, func) in indexers)
            {
                if (!_indexers.TryAdd(name, func))
                {
                    throw new ArgumentException($"index '{name}' already exists", nameof(indexers));
                }

                var index = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
                _indices[name] = index;
                foreach (var (key, obj) in _items)
                {
                    AddToIndex(index, func, key, obj);
                }
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Adds one index unless an index of that name exists already (then false): for well-known
    /// indexes such as <see cref="Indexes.PodNodeName"/> that several users of a shared informer ask for.
    /// </summary>
    public bool TryAddIndexer(string name, IndexFunc<T> func)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(func);
        _lock.EnterWriteLock();
        try
        {
            if (!_indexers.TryAdd(name, func))
            {
                return false;
            }

            var index = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            _indices[name] = index;
            foreach (var (key, obj) in _items)
            {
                AddToIndex(index, func, key, obj);
            }

            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Inserts or replaces the object under its key.</summary>
    public void Upsert(T obj)
    {
        var key = ObjectKeys.For(obj);
        _lock.EnterWriteLock();
        try
        {
            if (_items.TryGetValue(key, out var old))
            {
                RemoveFromIndices(key, old);
            }

            _items[key] = obj;
            AddToIndices(key, obj);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes the object with the key of <paramref name="obj"/>.</summary>
    public void Delete(T obj) => DeleteByKey(ObjectKeys.For(obj));

    public void DeleteByKey(string key)
    {
        _lock.EnterWriteLock();
        try
        {
            if (_items.Remove(key, out var old))
            {
                RemoveFromIndices(key, old);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Replaces the whole content with <paramref name="objects"/>.</summary>
    public void Replace(IEnumerable<T> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        _lock.EnterWriteLock();
        try
        {
            _items.Clear();
            foreach (var index in _indices.Values)
            {
                index.Clear();
            }

            foreach (var obj in objects)
            {
                var key = ObjectKeys.For(obj);
                _items[key] = obj;
                AddToIndices(key, obj);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public T? GetByKey(string key)
    {
        _lock.EnterReadLock();
        try
        {
            return _items.GetValueOrDefault(key);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public IReadOnlyList<T> List()
    {
        _lock.EnterReadLock();
        try
        {
            return [.. _items.Values];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public IReadOnlyList<string> ListKeys()
    {
        _lock.EnterReadLock();
        try
        {
            return [.. _items.Keys];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>The objects whose index function <paramref name="indexName"/> yields <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">No such index.</exception>
    public IReadOnlyList<T> ByIndex(string indexName, string value)
    {
        _lock.EnterReadLock();
        try
        {
            var keys = Index(indexName).GetValueOrDefault(value);
            if (keys is null)
            {
                return [];
            }

            var result = new List<T>(keys.Count);
            foreach (var key in keys)
            {
                result.Add(_items[key]);
            }

            return result;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>The keys of the objects whose index function <paramref name="indexName"/> yields <paramref name="value"/>.</summary>
    public IReadOnlyList<string> IndexKeys(string indexName, string value)
    {
        _lock.EnterReadLock();
        try
        {
            var keys = Index(indexName).GetValueOrDefault(value);
            return keys is null ? [] : [.. keys];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Every value that index <paramref name="indexName"/> currently holds objects for.</summary>
    public IReadOnlyList<string> IndexValues(string indexName)
    {
        _lock.EnterReadLock();
        try
        {
            return [.. Index(indexName).Keys];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private Dictionary<string, HashSet<string>> Index(string indexName) =>
        _indices.GetValueOrDefault(indexName) ?? throw new ArgumentException($"index '{indexName}' does not exist", nameof(indexName));

    private void AddToIndices(string key, T obj)
    {
        foreach (var (name, func) in _indexers)
        {
            AddToIndex(_indices[name], func, key, obj);
        }
    }

    private static void AddToIndex(Dictionary<string, HashSet<string>> index, IndexFunc<T> func, string key, T obj)
    {
        foreach (var value in func(obj))
        {
            if (!index.TryGetValue(value, out var keys))
            {
                keys = new HashSet<string>(StringComparer.Ordinal);
                index[value] = keys;
            }

            keys.Add(key);
        }
    }

    private void RemoveFromIndices(string key, T obj)
    {
        foreach (var (name, func) in _indexers)
        {
            var index = _indices[name];
            foreach (var value in func(obj))
            {
                if (index.TryGetValue(value, out var keys) && keys.Remove(key) && keys.Count == 0)
                {
                    // Drop empty sets so a high-churn index (e.g. by node) does not grow without bound.
                    index.Remove(value);
                }
            }
        }
    }
}
