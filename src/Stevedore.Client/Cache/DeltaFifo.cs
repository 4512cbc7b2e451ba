using k8s;
using k8s.Models;

namespace Stevedore.Client.Cache;

/// <summary>
/// A queue of object keys where each key holds the list of changes not yet processed, so a
/// consumer sees every object once per pop with all its deltas in order (upstream DeltaFIFO).
/// Deletions missed while disconnected are detected on <see cref="Replace"/> by comparing with
/// the known objects (the informer's cache) and queued as final-state-unknown tombstones.
/// </summary>
public sealed class DeltaFifo<T> : IReflectorStore<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Delta<T>>> _items = new(StringComparer.Ordinal);
    private readonly Queue<string> _queue = new();
    private readonly IKnownObjects<T>? _knownObjects;
    private readonly AsyncSignal _signal = new();
    private bool _populated;
    private int _initialPopulationCount;
    private bool _closed;

    /// <param name="knownObjects">The cache the popped deltas are applied to; used for deletion detection and resync.</param>
    public DeltaFifo(IKnownObjects<T>? knownObjects = null) => _knownObjects = knownObjects;

    /// <summary>
    /// True once the first <see cref="Replace"/> (or any add/update/delete) happened and every
    /// key queued by it has been popped and processed.
    /// </summary>
    public bool HasSynced
    {
        get
        {
            lock (_lock)
            {
                return _populated && _initialPopulationCount == 0;
            }
        }
    }

    /// <summary>Number of keys waiting.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    public void Add(T obj)
    {
        lock (_lock)
        {
            _populated = true;
            QueueAction(DeltaType.Added, obj, false);
        }
    }

    public void Update(T obj)
    {
        lock (_lock)
        {
            _populated = true;
            QueueAction(DeltaType.Updated, obj, false);
        }
    }

    /// <summary>Queues a deletion, unless the object is unknown both to the cache and to the queue.</summary>
    public void Delete(T obj)
    {
        var key = ObjectKeys.For(obj);
        lock (_lock)
        {
            _populated = true;
            var queued = _items.ContainsKey(key);
            if (!queued && (_knownObjects is null || _knownObjects.GetByKey(key) is null))
            {
                return;
            }

            QueueAction(DeltaType.Deleted, obj, false);
        }
    }

    public void Replace(IReadOnlyCollection<T> objects, string resourceVersion)
    {
        ArgumentNullException.ThrowIfNull(objects);
        lock (_lock)
        {
            var keys = new HashSet<string>(objects.Count, StringComparer.Ordinal);
            foreach (var obj in objects)
            {
                keys.Add(ObjectKeys.For(obj));
                QueueAction(DeltaType.Replaced, obj, false);
            }

            // Objects that vanished while we were not watching: queued ones first, then known ones.
            var queuedDeletions = 0;
            foreach (var (key, deltas) in _items.ToArray())
            {
                if (!keys.Contains(key))
                {
                    queuedDeletions++;
                    QueueAction(DeltaType.Deleted, deltas[^1].Object, true, key);
                }
            }

            if (_knownObjects is not null)
            {
                foreach (var key in _knownObjects.ListKeys())
                {
                    if (keys.Contains(key) || _items.ContainsKey(key) || _knownObjects.GetByKey(key) is not { } last)
                    {
                        continue;
                    }

                    queuedDeletions++;
                    QueueAction(DeltaType.Deleted, last, true, key);
                }
            }

            if (!_populated)
            {
                _populated = true;
                _initialPopulationCount = keys.Count + queuedDeletions;
            }
        }
    }

    public void Resync()
    {
        if (_knownObjects is null)
        {
            return;
        }

        lock (_lock)
        {
            foreach (var key in _knownObjects.ListKeys())
            {
                // Something is already pending for this key; a sync would only repeat it.
                if (_items.ContainsKey(key) || _knownObjects.GetByKey(key) is not { } obj)
                {
                    continue;
                }

                QueueAction(DeltaType.Sync, obj, false, key);
            }
        }
    }

    /// <summary>The deltas pending for a key (a copy), or null.</summary>
    public IReadOnlyList<Delta<T>>? GetDeltas(string key)
    {
        lock (_lock)
        {
            return _items.TryGetValue(key, out var deltas) ? deltas.ToArray() : null;
        }
    }

    /// <summary>
    /// Waits for a key, removes it and runs <paramref name="process"/> on its deltas (oldest first)
    /// while holding the queue's lock, so <see cref="HasSynced"/> turns true only after the
    /// processing of the initial list. The second argument tells whether the key came from the
    /// initial list. Returns false once the queue is closed and empty.
    /// </summary>
    public async ValueTask<bool> PopAsync(Action<IReadOnlyList<Delta<T>>, bool> process, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(process);
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                while (_queue.Count > 0)
                {
                    var isInInitialList = !(_populated && _initialPopulationCount == 0);
                    var key = _queue.Dequeue();
                    if (_initialPopulationCount > 0)
                    {
                        _initialPopulationCount--;
                    }

                    if (!_items.Remove(key, out var deltas))
                    {
                        continue;
                    }

                    process(deltas, isInInitialList);
                    return true;
                }

                if (_closed)
                {
                    return false;
                }

                wait = _signal.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Wakes consumers; <see cref="PopAsync"/> returns false once the queue is empty.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _signal.Pulse();
        }
    }

    private void QueueAction(DeltaType type, T obj, bool finalStateUnknown, string? key = null)
    {
        key ??= ObjectKeys.For(obj);
        if (!_items.TryGetValue(key, out var deltas))
        {
            deltas = new List<Delta<T>>(2);
            _items[key] = deltas;
            _queue.Enqueue(key);
            _signal.Pulse();
        }

        deltas.Add(new Delta<T>(type, obj, finalStateUnknown));
        DedupDeletions(deltas);
    }

    /// <summary>
    /// Two deletions in a row say the same thing; keep the one with more information
    /// (a real deletion beats an inferred tombstone).
    /// </summary>
    private static void DedupDeletions(List<Delta<T>> deltas)
    {
        if (deltas.Count < 2)
        {
            return;
        }

        var older = deltas[^2];
        var newer = deltas[^1];
        if (older.Type != DeltaType.Deleted || newer.Type != DeltaType.Deleted)
        {
            return;
        }

        deltas.RemoveAt(deltas.Count - 1);
        deltas[^1] = newer.IsFinalStateUnknown ? older : newer;
    }
}
