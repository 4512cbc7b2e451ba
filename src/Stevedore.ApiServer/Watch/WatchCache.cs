using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Resources;
using Stevedore.Storage;

namespace Stevedore.ApiServer.Watch;

/// <summary>
/// The state of one resource kept in memory: every object, a window of recent events and
/// the watchers. Fed only by the <see cref="CacheDispatcher"/>; lists and watches are
/// served from here without touching the store.
/// </summary>
public sealed class WatchCache
{
    /// <summary>How many recent events are kept for watches that resume from a resourceVersion.</summary>
    public const int HistoryCapacity = 8192;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, CachedObject> _objects = new(StringComparer.Ordinal);
    private readonly CachedEvent[] _history = new CachedEvent[HistoryCapacity];
    private readonly List<Watcher> _watchers = [];
    private int _historyStart;
    private int _historyCount;

    /// <summary>Watches may resume from any revision at or above this one.</summary>
    private long _oldestResumableRevision;

    public WatchCache(ApiResource resource) => Resource = resource;

    public ApiResource Resource { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _objects.Count;
            }
        }
    }

    public int WatcherCount
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>Replaces the whole state with a list read at <paramref name="revision"/>.</summary>
    internal void Reset(IEnumerable<KeyValue> items, long revision)
    {
        lock (_lock)
        {
            _objects.Clear();
            foreach (var kv in items)
            {
                _objects[kv.Key] = CachedObject.FromStored(kv.Key, kv.Value.Span, kv.ModRevision, Resource.Kind);
            }

            _historyCount = 0;
            _historyStart = 0;
            _oldestResumableRevision = revision;
            foreach (var w in _watchers)
            {
                w.Close();
            }

            _watchers.Clear();
        }
    }

    /// <summary>Applies one store change and offers it to every watcher.</summary>
    internal void Apply(WatchEvent change)
    {
        CachedEvent e;
        if (change.Type == WatchEventType.Delete)
        {
            // Watchers see the last state of a deleted object stamped with the delete's revision.
            var last = change.Previous?.Value ?? ReadOnlyMemory<byte>.Empty;
            if (last.IsEmpty)
            {
                lock (_lock)
                {
                    _objects.Remove(change.Current.Key);
                }

                return;
            }

            var obj = CachedObject.FromStored(change.Current.Key, last.Span, change.Revision, Resource.Kind);
            e = new CachedEvent(WatchEventKind.Deleted, obj, null);
        }
        else
        {
            var obj = CachedObject.FromStored(change.Current.Key, change.Current.Value.Span, change.Revision, Resource.Kind);
            e = new CachedEvent(change.Previous is null ? WatchEventKind.Added : WatchEventKind.Modified, obj, null);
        }

        lock (_lock)
        {
            _objects.TryGetValue(e.Object.Key, out var previous);
            if (e.Kind == WatchEventKind.Deleted)
            {
                _objects.Remove(e.Object.Key);
            }
            else
            {
                _objects[e.Object.Key] = e.Object;
            }

            if (previous is not null && e.Kind == WatchEventKind.Modified)
            {
                e = e.WithPrevious(previous);
            }

            AppendHistory(e);
            foreach (var w in _watchers)
            {
                w.Offer(e);
            }
        }
    }

    private void AppendHistory(CachedEvent e)
    {
        if (_historyCount == HistoryCapacity)
        {
            var dropped = _history[_historyStart];
            _oldestResumableRevision = dropped.Revision;
            _historyStart = (_historyStart + 1) % HistoryCapacity;
            _historyCount--;
        }

        _history[(_historyStart + _historyCount) % HistoryCapacity] = e;
        _historyCount++;
    }

    /// <summary>The objects matching <paramref name="filter"/>, sorted by key.</summary>
    public List<CachedObject> List(WatchFilter filter)
    {
        var result = new List<CachedObject>();
        lock (_lock)
        {
            foreach (var obj in _objects.Values)
            {
                if (filter.Matches(obj))
                {
                    result.Add(obj);
                }
            }
        }

        result.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }

    public CachedObject? Get(string key)
    {
        lock (_lock)
        {
            return _objects.GetValueOrDefault(key);
        }
    }

    /// <summary>
    /// Starts a watch. With <paramref name="sendInitialState"/> every matching object is first
    /// delivered as ADDED; otherwise events after <paramref name="afterRevision"/> are replayed
    /// from history, or 410 Gone when that history is no longer kept.
    /// </summary>
    public Watcher Watch(WatchFilter filter, long afterRevision, bool sendInitialState)
    {
        lock (_lock)
        {
            var watcher = new Watcher(filter, Unregister);
            if (sendInitialState)
            {
                var initial = _objects.Values.Where(filter.Matches).ToList();
                initial.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
                foreach (var obj in initial)
                {
                    watcher.EnqueueInitial(new CachedEvent(WatchEventKind.Added, obj, null));
                }
            }
            else
            {
                if (afterRevision < _oldestResumableRevision)
                {
                    throw ApiException.Gone($"too old resource version: {afterRevision} ({_oldestResumableRevision})");
                }

                for (var i = 0; i < _historyCount; i++)
                {
                    var e = _history[(_historyStart + i) % HistoryCapacity];
                    if (e.Revision > afterRevision)
                    {
                        watcher.Offer(e);
                    }
                }
            }

            _watchers.Add(watcher);
            return watcher;
        }
    }

    private void Unregister(Watcher watcher)
    {
        lock (_lock)
        {
            _watchers.Remove(watcher);
        }
    }
}
