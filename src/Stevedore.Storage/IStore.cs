namespace Stevedore.Storage;

/// <summary>
/// An etcd-shaped key-value store: every write gets the next value of one global,
/// monotonically increasing revision; writes are guarded by the key's mod revision
/// (compare-and-swap); history can be watched from any revision that has not been
/// compacted away. Both implementations (SQLite, etcd) pass the same contract suite.
/// </summary>
/// <remarks>
/// Outcomes that are normal for optimistic concurrency (not found, already exists,
/// conflict) are values in <see cref="WriteResult"/>; reading or watching below the
/// compacted revision throws <see cref="StoreCompactedException"/>; a broken backend
/// throws <see cref="StoreUnavailableException"/>.
/// </remarks>
public interface IStore : IAsyncDisposable
{
    /// <summary>The newest revision the store has committed.</summary>
    Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken);

    /// <summary>Reads one key at the newest revision; null when absent.</summary>
    Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Reads keys in key order (see <see cref="RangeRequest"/>).</summary>
    Task<RangeResult> RangeAsync(RangeRequest request, CancellationToken cancellationToken);

    /// <summary>Creates a key that must not exist yet.</summary>
    Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, long leaseId, CancellationToken cancellationToken);

    /// <summary>Replaces a key whose mod revision equals <paramref name="expectedModRevision"/>.</summary>
    Task<WriteResult> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedModRevision, long leaseId, CancellationToken cancellationToken);

    /// <summary>Deletes a key; with <paramref name="expectedModRevision"/> 0 whatever its revision.</summary>
    Task<WriteResult> DeleteAsync(string key, long expectedModRevision, CancellationToken cancellationToken);

    /// <summary>
    /// Streams every change under <paramref name="prefix"/> with a revision greater than
    /// <paramref name="afterRevision"/>, in revision order, with the previous value.
    /// Throws <see cref="StoreCompactedException"/> when that history is compacted.
    /// Survives backend restarts by resuming from the last delivered revision.
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken);

    /// <summary>Drops history at and below <paramref name="revision"/>; the newest value of each key stays.</summary>
    Task CompactAsync(long revision, CancellationToken cancellationToken);

    /// <summary>The revision at and below which history is gone (0 when nothing was compacted).</summary>
    Task<long> GetCompactedRevisionAsync(CancellationToken cancellationToken);

    /// <summary>Grants a lease; keys attached to it are deleted when it expires.</summary>
    Task<long> GrantLeaseAsync(TimeSpan timeToLive, CancellationToken cancellationToken);

    /// <summary>Renews a lease; false when it has already expired.</summary>
    Task<bool> KeepAliveLeaseAsync(long leaseId, CancellationToken cancellationToken);

    /// <summary>Revokes a lease and deletes its keys.</summary>
    Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken);

    /// <summary>Size of the backing database in bytes (a metric).</summary>
    Task<long> GetDatabaseSizeAsync(CancellationToken cancellationToken);
}
