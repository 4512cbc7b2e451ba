namespace Stevedore.Client.Events;

/// <summary>
/// A token bucket per key, as client-go's EventSourceObjectSpamFilter keeps one per event source and
/// involved object: a burst of <c>burst</c> events, then one more per <c>refillInterval</c>. It keeps a
/// controller that creates a thousand pods for one ReplicaSet from writing a thousand Events about it.
/// Thread-safe; memory is bounded by <c>maxKeys</c> (past it the buckets start over).
/// </summary>
public sealed class EventSpamFilter(int burst = EventSpamFilter.DefaultBurst, TimeSpan? refillInterval = null, int maxKeys = 4096)
{
    /// <summary>client-go's defaultSpamBurst.</summary>
    public const int DefaultBurst = 25;

    /// <summary>client-go's defaultSpamQPS is 1/300: one event per five minutes once the burst is spent.</summary>
    public static readonly TimeSpan DefaultRefillInterval = TimeSpan.FromMinutes(5);

    private readonly TimeSpan _refill = refillInterval ?? DefaultRefillInterval;
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Takes a token for <paramref name="key"/> at <paramref name="now"/>; false when the bucket is empty.</summary>
    public bool Allow(string key, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            if (!_buckets.TryGetValue(key, out var bucket))
            {
                if (_buckets.Count >= maxKeys)
                {
                    _buckets.Clear();
                }

                bucket = new Bucket(burst, now);
            }

            var refilled = Math.Min(burst, bucket.Tokens + Math.Max(0, (now - bucket.Updated).Ticks) / (double)_refill.Ticks);
            var allowed = refilled >= 1;
            _buckets[key] = new Bucket(allowed ? refilled - 1 : refilled, now);
            return allowed;
        }
    }

    private readonly record struct Bucket(double Tokens, DateTimeOffset Updated);
}
