namespace Stevedore.Controllers.Common;

/// <summary>
/// What a controller is still waiting to see in its informer after issuing creates and deletes
/// (upstream UIDTrackingControllerExpectations). A sync must not act on a key while expectations are
/// pending, otherwise a stale cache makes it create or delete twice. Expectations expire after
/// <see cref="Timeout"/> so a lost watch event cannot wedge a controller forever. Thread-safe.
/// </summary>
public sealed class ControllerExpectations
{
    /// <summary>Upstream ExpectationsTimeout.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>True when nothing is pending for <paramref name="controllerKey"/>, or the record has expired.</summary>
    public bool Satisfied(string controllerKey, DateTime now)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(controllerKey, out var entry))
            {
                return true;
            }

            return (entry.Adds <= 0 && entry.Deletes <= 0) || now - entry.SetAt > Timeout;
        }
    }

    /// <summary>Records that <paramref name="count"/> creates are about to be issued.</summary>
    public void ExpectCreations(string controllerKey, int count, DateTime now) =>
        Set(controllerKey, count, [], now);

    /// <summary>Records the pods (namespace/name keys) about to be deleted.</summary>
    public void ExpectDeletions(string controllerKey, IEnumerable<string> podKeys, DateTime now) =>
        Set(controllerKey, 0, podKeys, now);

    /// <summary>A pod created by this controller showed up in the informer (or a create call failed).</summary>
    public void CreationObserved(string controllerKey)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(controllerKey, out var entry))
            {
                entry.Adds--;
            }
        }
    }

    /// <summary>A pod this controller deleted is gone or terminating (or the delete call failed).</summary>
    public void DeletionObserved(string controllerKey, string podKey)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(controllerKey, out var entry) && entry.PendingDeletes.Remove(podKey))
            {
                entry.Deletes--;
            }
        }
    }

    /// <summary>Forgets the controller (it was deleted).</summary>
    public void Delete(string controllerKey)
    {
        lock (_gate)
        {
            _entries.Remove(controllerKey);
        }
    }

    /// <summary>Creates and deletes still outstanding, for diagnostics and tests.</summary>
    public (int Adds, int Deletes) Pending(string controllerKey)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(controllerKey, out var e) ? (e.Adds, e.Deletes) : (0, 0);
        }
    }

    private void Set(string controllerKey, int adds, IEnumerable<string> deleteKeys, DateTime now)
    {
        var keys = new HashSet<string>(deleteKeys, StringComparer.Ordinal);
        lock (_gate)
        {
            _entries[controllerKey] = new Entry { Adds = adds, Deletes = keys.Count, PendingDeletes = keys, SetAt = now };
        }
    }

    private sealed class Entry
    {
        public int Adds { get; set; }

        public int Deletes { get; set; }

        public required HashSet<string> PendingDeletes { get; init; }

        public DateTime SetAt { get; init; }
    }
}
