namespace Stevedore.Storage;

/// <summary>
/// Compacts a store in the background: each run compacts to the revision that was newest at
/// the previous run, so at least one interval of history always stays (watchers and
/// paginated lists need it), and never closer than <c>retainedRevisions</c> to the newest.
/// This is the policy kube-apiserver applies to etcd (every 5 minutes).
/// </summary>
internal sealed class PeriodicCompactor : IAsyncDisposable
{
    private readonly IStore _store;
    private readonly TimeSpan _interval;
    private readonly long _retainedRevisions;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public PeriodicCompactor(IStore store, TimeSpan interval, long retainedRevisions, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _store = store;
        _interval = interval;
        _retainedRevisions = Math.Max(0, retainedRevisions);
        _timeProvider = timeProvider;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The compaction target for one run; 0 means nothing to do.</summary>
    internal static long Target(long revisionAtLastRun, long currentRevision, long retainedRevisions, long compactedRevision)
    {
        long target = Math.Min(revisionAtLastRun, currentRevision - retainedRevisions);
        return target > compactedRevision ? target : 0;
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        try
        {
            using var timer = new PeriodicTimer(_interval, _timeProvider);
            long revisionAtLastRun = await _store.GetCurrentRevisionAsync(stopping).ConfigureAwait(false);
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                try
                {
                    long current = await _store.GetCurrentRevisionAsync(stopping).ConfigureAwait(false);
                    long compacted = await _store.GetCompactedRevisionAsync(stopping).ConfigureAwait(false);
                    long target = Target(revisionAtLastRun, current, _retainedRevisions, compacted);
                    revisionAtLastRun = current;
                    if (target > 0)
                    {
                        await _store.CompactAsync(target, stopping).ConfigureAwait(false);
                    }
                }
                catch (StoreUnavailableException)
                {
                    // Transient; the next run compacts further anyway.
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException) when (stopping.IsCancellationRequested)
        {
        }
        catch (StoreUnavailableException)
        {
            // The backend was unreachable when the compactor started; the next open retries.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
