namespace Stevedore.Kubelet.Pods;

/// <summary>
/// Per-key exponential back-off as the kubelet keeps it for container restarts (CrashLoopBackOff) and
/// image pulls (ImagePullBackOff): the first failure may retry at once, each failure after that
/// waits twice as long as the previous one (initial, 2×, 4×, ... up to the cap), and an entry whose
/// last failure is older than the reset interval starts over. Pure: every method takes the time.
/// </summary>
public sealed class RestartBackoff(TimeSpan initial, TimeSpan max, TimeSpan reset)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>
    /// True when a retry after the failure at <paramref name="failedAt"/> must still wait; then
    /// <paramref name="remaining"/> says how long and <paramref name="delay"/> the whole back-off.
    /// </summary>
    public bool IsInBackoff(string key, DateTimeOffset failedAt, DateTimeOffset now, out TimeSpan remaining, out TimeSpan delay)
    {
        lock (_lock)
        {
            remaining = TimeSpan.Zero;
            delay = TimeSpan.Zero;
            if (!_entries.TryGetValue(key, out var entry) || Expired(entry, failedAt))
            {
                return false;
            }

            delay = entry.Delay;
            remaining = failedAt + entry.Delay - now;
            return remaining > TimeSpan.Zero;
        }
    }

    /// <summary>Records that a retry happens now after the failure at <paramref name="failedAt"/>: the next wait doubles.</summary>
    public void Next(string key, DateTimeOffset failedAt)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry) || Expired(entry, failedAt))
            {
                _entries[key] = new Entry(initial <= max ? initial : max, failedAt);
                return;
            }

            var doubled = entry.Delay + entry.Delay;
            _entries[key] = new Entry(doubled < max ? doubled : max, failedAt);
        }
    }

    /// <summary>Forgets one key (the container ran long enough, or the pod is gone).</summary>
    public void Reset(string key)
    {
        lock (_lock)
        {
            _entries.Remove(key);
        }
    }

    /// <summary>Forgets every key that starts with <paramref name="prefix"/> (all of a pod's).</summary>
    public void ResetPrefix(string prefix)
    {
        lock (_lock)
        {
            foreach (var key in _entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                _entries.Remove(key);
            }
        }
    }

    private bool Expired(Entry entry, DateTimeOffset failedAt) => failedAt - entry.LastFailure > reset;

    private sealed record Entry(TimeSpan Delay, DateTimeOffset LastFailure);
}
