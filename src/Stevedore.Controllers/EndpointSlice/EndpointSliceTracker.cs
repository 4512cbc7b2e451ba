using System.Globalization;
using k8s.Models;

namespace Stevedore.Controllers.EndpointSlice;

/// <summary>
/// Remembers, per Service key, the resourceVersion of every slice this controller last wrote
/// (and the slices it deleted), so a sync can tell whether the informer cache is behind its own
/// writes (upstream's endpointSliceTracker). Acting on a stale cache would create a slice twice.
/// Thread-safe.
/// </summary>
public sealed class EndpointSliceTracker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, long>> _expected = new(StringComparer.Ordinal);

    /// <summary>Marker for "deleted": the slice must be absent from the cache.</summary>
    private const long Gone = -1;

    public void Written(string serviceKey, V1EndpointSlice slice)
    {
        if (!long.TryParse(slice.Metadata?.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return;
        }

        lock (_lock)
        {
            Expectations(serviceKey)[slice.Metadata!.Name] = version;
        }
    }

    public void Deleted(string serviceKey, string sliceName)
    {
        lock (_lock)
        {
            Expectations(serviceKey)[sliceName] = Gone;
        }
    }

    /// <summary>The slice is gone from the store: whatever was expected of it is settled.</summary>
    public void SliceDeleted(string serviceKey, string sliceName)
    {
        lock (_lock)
        {
            if (_expected.TryGetValue(serviceKey, out var expected))
            {
                expected.Remove(sliceName);
                if (expected.Count == 0)
                {
                    _expected.Remove(serviceKey);
                }
            }
        }
    }

    public void Forget(string serviceKey)
    {
        lock (_lock)
        {
            _expected.Remove(serviceKey);
        }
    }

    /// <summary>
    /// True when <paramref name="cached"/> (the informer's slices of the Service) reflects every
    /// write recorded for it; satisfied expectations are dropped.
    /// </summary>
    public bool CacheShowsOwnWrites(string serviceKey, IReadOnlyList<V1EndpointSlice> cached)
    {
        lock (_lock)
        {
            if (!_expected.TryGetValue(serviceKey, out var expected))
            {
                return true;
            }

            var byName = cached.ToDictionary(s => s.Metadata.Name, StringComparer.Ordinal);
            foreach (var (name, version) in expected.ToList())
            {
                var present = byName.TryGetValue(name, out var slice);
                var seen = version == Gone
                    ? !present
                    : present && long.TryParse(slice!.Metadata.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var cachedVersion) && cachedVersion >= version;
                if (!seen)
                {
                    return false;
                }

                expected.Remove(name);
            }

            if (expected.Count == 0)
            {
                _expected.Remove(serviceKey);
            }

            return true;
        }
    }

    private Dictionary<string, long> Expectations(string serviceKey)
    {
        if (!_expected.TryGetValue(serviceKey, out var expected))
        {
            expected = new Dictionary<string, long>(StringComparer.Ordinal);
            _expected[serviceKey] = expected;
        }

        return expected;
    }
}
