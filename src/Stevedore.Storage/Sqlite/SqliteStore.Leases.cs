namespace Stevedore.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const string NextExpirySql = "SELECT COALESCE(MIN(expires_ms), 9223372036854775807) FROM lease";

    public Task<long> GrantLeaseAsync(TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        long ttl = (long)Math.Ceiling(timeToLive.TotalMilliseconds);
        return WriteAsync(session => session.GrantLease(ttl, NowMilliseconds()), cancellationToken);
    }

    public Task<bool> KeepAliveLeaseAsync(long leaseId, CancellationToken cancellationToken) =>
        WriteAsync(session => session.RenewLease(leaseId, NowMilliseconds()), cancellationToken);

    public Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken) =>
        WriteAsync(session =>
        {
            session.RevokeLease(leaseId);
            return true;
        }, cancellationToken);

    private long NowMilliseconds() => _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Revokes expired leases. The check is a cheap read, so the writer is only involved
    /// when something actually expired; the revocation re-checks expiry inside the write.
    /// </summary>
    private async Task ExpireLeasesLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.LeaseCheckInterval, _options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    long nextExpiry = Read(session => session.Scalar(NextExpirySql));
                    if (nextExpiry <= NowMilliseconds())
                    {
                        await WriteAsync(session => session.RevokeExpiredLeases(NowMilliseconds()), _stopping.Token).ConfigureAwait(false);
                    }
                }
                catch (StoreUnavailableException)
                {
                    // A transient database error; the next tick tries again.
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException) when (_stopping.IsCancellationRequested || Volatile.Read(ref _disposed) != 0)
        {
            // DisposeAsync marks the store disposed before it cancels this loop; a tick in between lands here.
        }
    }
}
