namespace Stevedore.Storage.Sqlite;

/// <summary>Tuning for <see cref="SqliteStore"/>; the defaults suit a single-node server.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>
    /// fsync the WAL on every commit (SQLite <c>synchronous=FULL</c>): an acknowledged write
    /// survives power loss. False uses <c>NORMAL</c>: it survives a process crash only.
    /// </summary>
    public bool DurableCommits { get; init; } = true;

    /// <summary>Most writes committed together in one transaction (group commit).</summary>
    public int MaxWritesPerCommit { get; init; } = 256;

    /// <summary>
    /// How often the background compactor runs; null disables it. Each run compacts up to the
    /// revision that was current at the previous run, so at least one interval of history stays.
    /// <see cref="StoreFactory"/> turns it on (every 5 minutes).
    /// </summary>
    public TimeSpan? CompactionInterval { get; init; }

    /// <summary>Revisions the background compactor always keeps behind the newest one.</summary>
    public long CompactionRetainedRevisions { get; init; } = 1000;

    /// <summary>Rows of history deleted per compaction step, so writers never wait long.</summary>
    public int CompactionBatchSize { get; init; } = 1000;

    /// <summary>How often expired leases are looked for.</summary>
    public TimeSpan LeaseCheckInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How often the WAL is copied back into the database file from a background connection,
    /// so that the checkpoint SQLite runs inside a commit has little left to copy.
    /// </summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Events a watcher may fall behind by before it re-reads history from the log.</summary>
    public int WatchBufferCapacity { get; init; } = 4096;

    /// <summary>Clock for lease expiry and compaction; tests may supply a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
