namespace Stevedore.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private readonly SemaphoreSlim _compactionGate = new(1, 1);

    /// <summary>Revision up to which superseded rows are already gone (compaction can be interrupted).</summary>
    private long _compactedThrough;

    public async Task CompactAsync(long revision, CancellationToken cancellationToken)
    {
        long current = _hub.PublishedRevision;
        if (revision > current)
        {
            throw new StoreFutureRevisionException(revision, current);
        }

        await _compactionGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (revision > Volatile.Read(ref _compactedRevision))
            {
                // Raise the floor first, so no reader starts at a revision about to be cut.
                await WriteAsync(session =>
                {
                    session.SetMeta(Schema.CompactedRevisionName, revision);
                    return true;
                }, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _compactedRevision, revision);
            }

            await DeleteCompactedHistoryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _compactionGate.Release();
        }
    }

    /// <summary>Deletes obsolete rows up to the compacted revision in small transactions.</summary>
    private async Task DeleteCompactedHistoryAsync(CancellationToken cancellationToken)
    {
        long target = Volatile.Read(ref _compactedRevision);
        while (_compactedThrough < target)
        {
            long low = _compactedThrough;
            long high = Math.Min(target, low + _options.CompactionBatchSize);
            await WriteAsync(session =>
            {
                session.CompactWindow(low, high);
                return true;
            }, cancellationToken).ConfigureAwait(false);
            _compactedThrough = high;
        }
    }

    /// <summary>Finishes a compaction that a previous process did not complete.</summary>
    private async Task ResumeCompactionAsync()
    {
        try
        {
            if (_compactedThrough >= Volatile.Read(ref _compactedRevision))
            {
                return;
            }

            await _compactionGate.WaitAsync(_stopping.Token).ConfigureAwait(false);
            try
            {
                await DeleteCompactedHistoryAsync(_stopping.Token).ConfigureAwait(false);
            }
            finally
            {
                _compactionGate.Release();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (StoreUnavailableException)
        {
            // The next compaction continues from the persisted progress.
        }
    }
}
