namespace Stevedore.Storage.Etcd;

/// <summary>Tuning for <see cref="EtcdStore"/>.</summary>
public sealed class EtcdStoreOptions
{
    /// <summary>Deadline of one request (not of a watch).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>First wait before re-establishing a broken watch; doubles up to <see cref="MaxWatchRetryDelay"/>.</summary>
    public TimeSpan InitialWatchRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxWatchRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often this client compacts etcd; null disables it. Each run compacts to the revision
    /// that was newest at the previous run. Several servers may all run it: a compaction at or
    /// below an earlier one is a no-op. <see cref="StoreFactory"/> turns it on (every 5 minutes).
    /// </summary>
    public TimeSpan? CompactionInterval { get; init; }

    /// <summary>Revisions the background compactor always keeps behind the newest one.</summary>
    public long CompactionRetainedRevisions { get; init; } = 1000;
}
