namespace Stevedore.ApiServer.Services;

/// <summary>
/// Which Service (by uid) holds each allocated value. Values are opaque keys such as
/// <c>ip/10.43.0.5</c> and <c>port/30080</c> (see <see cref="AllocationKeys"/>). Thread-safe.
/// </summary>
/// <remarks>
/// The table is never the source of truth: the stored Services are. Each Service's values live
/// in the Service object itself, written by one compare-and-swap, so an allocation is persisted
/// atomically with its Service by construction, and the table is rebuilt from the stored
/// Services at start (no leaks or duplicates can survive a restart). Two feeds keep it current:
/// the registry reports each successful write directly (<see cref="Observe"/> with the write's
/// revision), and the watch of stored Services reports every change, including those written by
/// other API servers. Both are idempotent: an observation older than what is already known for
/// that uid is ignored, so the two feeds may arrive in any order. In-flight writes hold
/// reservations (<see cref="TryReserve"/>) so that two concurrent requests never get the same value.
/// </remarks>
public sealed class AllocationTable
{
    private readonly Lock _lock = new();

    /// <summary>Values held by a stored Service.</summary>
    private readonly Dictionary<string, string> _owners = new(StringComparer.Ordinal);

    /// <summary>Values reserved by a write that has not reached the store yet.</summary>
    private readonly Dictionary<string, string> _reserved = new(StringComparer.Ordinal);

    /// <summary>The newest known stored state per uid; an empty set is a deletion not yet confirmed by the watch.</summary>
    private readonly Dictionary<string, Holding> _holdings = new(StringComparer.Ordinal);

    private sealed record Holding(long Revision, IReadOnlySet<string> Keys);

    /// <summary>Two Services holding one value: only possible when several API servers race (reported, never silently dropped).</summary>
    public sealed record Conflict(string Key, string HeldBy, string ClaimedBy);

    /// <summary>How many values are held or reserved (a metric and a test aid).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _owners.Count + _reserved.Count(r => !_owners.ContainsKey(r.Key));
            }
        }
    }

    /// <summary>The uid holding or reserving <paramref name="key"/>, or null.</summary>
    public string? HolderOf(string key)
    {
        lock (_lock)
        {
            return _owners.TryGetValue(key, out var owner) ? owner : _reserved.GetValueOrDefault(key);
        }
    }

    /// <summary>True when <paramref name="uid"/> may use <paramref name="key"/> (free, or already its own).</summary>
    public bool IsAvailable(string key, string uid)
    {
        lock (_lock)
        {
            return AvailableLocked(key, uid);
        }
    }

    /// <summary>
    /// Reserves <paramref name="key"/> for <paramref name="uid"/>; true when it is free or already
    /// held or reserved by that uid. A reservation lasts until <see cref="Observe"/> confirms it
    /// or <see cref="Release"/> drops it.
    /// </summary>
    public bool TryReserve(string key, string uid)
    {
        lock (_lock)
        {
            if (!AvailableLocked(key, uid))
            {
                return false;
            }

            if (!_owners.ContainsKey(key))
            {
                _reserved[key] = uid;
            }

            return true;
        }
    }

    /// <summary>
    /// The first of <paramref name="candidates"/> that is free, reserved for <paramref name="uid"/>
    /// unless <paramref name="reserve"/> is false (dry run); null when none is free.
    /// </summary>
    public string? TryReserveFirstFree(IEnumerable<string> candidates, string uid, bool reserve)
    {
        lock (_lock)
        {
            foreach (var key in candidates)
            {
                if (_owners.ContainsKey(key) || _reserved.ContainsKey(key))
                {
                    continue;
                }

                if (reserve)
                {
                    _reserved[key] = uid;
                }

                return key;
            }

            return null;
        }
    }

    /// <summary>Drops <paramref name="uid"/>'s reservations of <paramref name="keys"/> (values it already holds stay).</summary>
    public void Release(string uid, IEnumerable<string> keys)
    {
        lock (_lock)
        {
            foreach (var key in keys)
            {
                if (_reserved.TryGetValue(key, out var holder) && holder == uid)
                {
                    _reserved.Remove(key);
                }
            }
        }
    }

    /// <summary>
    /// Records that at <paramref name="revision"/> the stored Service <paramref name="uid"/> holds
    /// exactly <paramref name="keys"/> (empty: it was deleted). Values it no longer holds are freed,
    /// its reservations of the values it now holds become holdings. <paramref name="final"/> marks
    /// the watch's delete event, after which nothing more is heard of that uid.
    /// </summary>
    public IReadOnlyList<Conflict> Observe(string uid, long revision, IReadOnlyCollection<string> keys, bool final = false)
    {
        lock (_lock)
        {
            return ObserveLocked(uid, revision, keys, final);
        }
    }

    /// <summary>
    /// Replaces what is known with a full list of stored Services read at <paramref name="revision"/>
    /// (a relist). A uid known only from an observation newer than the list is kept.
    /// </summary>
    public IReadOnlyList<Conflict> Reset(IEnumerable<(string Uid, long Revision, IReadOnlyCollection<string> Keys)> stored, long revision)
    {
        lock (_lock)
        {
            var conflicts = new List<Conflict>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (uid, objectRevision, keys) in stored)
            {
                seen.Add(uid);
                conflicts.AddRange(ObserveLocked(uid, objectRevision, keys, final: false));
            }

            foreach (var (uid, holding) in _holdings.ToList())
            {
                if (!seen.Contains(uid) && holding.Revision <= revision)
                {
                    // Gone from the store by the time of the list: its delete was missed.
                    FreeLocked(uid, holding.Keys);
                    _holdings.Remove(uid);
                }
            }

            return conflicts;
        }
    }

    private IReadOnlyList<Conflict> ObserveLocked(string uid, long revision, IReadOnlyCollection<string> keys, bool final)
    {
        if (_holdings.TryGetValue(uid, out var known) && known.Revision >= revision)
        {
            // Already know as much or more. The watch confirming a deletion the registry
            // reported first ends the uid's record.
            if (final && known.Keys.Count == 0)
            {
                _holdings.Remove(uid);
            }

            return [];
        }

        if (known is null && keys.Count == 0)
        {
            // A deletion of something never seen (or already forgotten): nothing to free, and no
            // record is needed because no older event of it can still arrive after the watch's delete.
            return [];
        }

        if (known is not null)
        {
            FreeLocked(uid, known.Keys.Where(k => !keys.Contains(k)));
        }

        var conflicts = new List<Conflict>();
        foreach (var key in keys)
        {
            if (_reserved.TryGetValue(key, out var reservedBy) && reservedBy == uid)
            {
                _reserved.Remove(key);
            }

            if (!_owners.TryGetValue(key, out var owner))
            {
                _owners[key] = uid;
            }
            else if (owner != uid)
            {
                conflicts.Add(new Conflict(key, owner, uid));
            }
        }

        if (final && keys.Count == 0)
        {
            _holdings.Remove(uid);
        }
        else
        {
            _holdings[uid] = new Holding(revision, new HashSet<string>(keys, StringComparer.Ordinal));
        }

        return conflicts;
    }

    private void FreeLocked(string uid, IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            if (_owners.TryGetValue(key, out var owner) && owner == uid)
            {
                _owners.Remove(key);
            }
        }
    }

    private bool AvailableLocked(string key, string uid) =>
        (!_owners.TryGetValue(key, out var owner) || owner == uid) &&
        (!_reserved.TryGetValue(key, out var reservedBy) || reservedBy == uid);
}
