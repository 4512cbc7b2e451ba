namespace Stevedore.Storage.Etcd;

/// <summary>Tuning for <see cref="EtcdStore"/>.</summary>
public sealed class EtcdStoreOptions
{
    /// <summary>Deadline of one request (not of a watch).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>First wait before re-establishing a broken watch; doubles up to <see cref="MaxWatchRetryDelay"/>.</summary>
    public TimeSpan InitialWatchRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxWatchRetryDelay { get; init; } = TimeSpan.FromSeconds(5);
}
