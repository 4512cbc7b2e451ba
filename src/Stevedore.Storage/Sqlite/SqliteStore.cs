using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Stevedore.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. All writes go through one connection
/// owned by a writer loop that commits queued writes together (group commit); reads use a
/// pool of separate connections and never wait for the writer. Watches are fed in-process
/// from each commit and from the log for history.
/// </summary>
public sealed partial class SqliteStore : IStore
{
    /// <summary>
    /// Idle reader connections kept open. Reads run on the caller's thread, so as many run at once
    /// as the thread pool has busy threads; a connection beyond this is opened and closed per read.
    /// </summary>
    private const int MaxPooledReadSessions = 64;

    private readonly string _connectionString;
    private readonly SqliteStoreOptions _options;
    private readonly WriteSession _writeSession;
    private readonly Channel<WriteOperation> _writes = Channel.CreateUnbounded<WriteOperation>(
        new UnboundedChannelOptions { SingleReader = true });
    // A lock-free queue with its own count: ConcurrentBag's Count takes every thread's lock and its
    // TryTake steals under locks, which made reads queue up behind each other (and behind any
    // lock holder the OS preempted) when many requests read at once.
    private readonly ConcurrentQueue<ReadSession> _readSessions = new();
    private int _pooledReadSessions;
    private readonly WatchHub _hub;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writerLoop;
    private readonly Task _leaseLoop;
    private readonly Task _compactionResume;
    private readonly PeriodicCompactor? _compactor;
    private readonly Task _checkpointLoop;
    private long _compactedRevision;
    private int _disposed;

    private SqliteStore(string path, SqliteStoreOptions options)
    {
        _options = options;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString();
        _writeSession = new WriteSession(_connectionString, options.DurableCommits);
        _compactedRevision = _writeSession.ReadScalar(Schema.SelectCompactedRevision);
        _compactedThrough = _writeSession.ReadScalar(Schema.SelectCompactedThrough);
        _hub = new WatchHub(_writeSession.CommittedRevision);
        _writerLoop = Task.Run(WriteLoopAsync);
        _leaseLoop = Task.Run(ExpireLeasesLoopAsync);
        _compactionResume = Task.Run(ResumeCompactionAsync);
        _compactor = options.CompactionInterval is { } interval
            ? new PeriodicCompactor(this, interval, options.CompactionRetainedRevisions, options.TimeProvider)
            : null;
        _checkpointLoop = Task.Run(CheckpointLoopAsync);
    }

    /// <summary>Opens (creating if needed) the store in the SQLite file at <paramref name="path"/>.</summary>
    public static SqliteStore Open(string path, SqliteStoreOptions? options = null)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        try
        {
            return new SqliteStore(path, options ?? new SqliteStoreOptions());
        }
        catch (SqliteException e)
        {
            throw new StoreUnavailableException($"cannot open SQLite store {path}: {e.Message}", e);
        }
    }

    /// <summary>The file this store lives in.</summary>
    public string FilePath => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    public Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_hub.PublishedRevision);

    public Task<long> GetCompactedRevisionAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Volatile.Read(ref _compactedRevision));

    public Task<long> GetDatabaseSizeAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Read(session => session.Scalar("PRAGMA page_count") * session.Scalar("PRAGMA page_size")));

    /// <summary>Queues work for the writer and waits until its transaction is committed.</summary>
    private Task<T> WriteAsync<T>(Func<WriteSession, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var operation = new WriteOperation<T>(work);
        if (!_writes.Writer.TryWrite(operation))
        {
            throw new ObjectDisposedException(nameof(SqliteStore));
        }

        return cancellationToken.CanBeCanceled ? operation.Task.WaitAsync(cancellationToken) : operation.Task;
    }

    /// <summary>
    /// The single writer: drains whatever is queued into one transaction, commits once, then
    /// publishes the events and completes the callers. A failing operation is rolled back
    /// alone: the batch is retried without it.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var batch = new List<WriteOperation>(_options.MaxWritesPerCommit);
        var reader = _writes.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _options.MaxWritesPerCommit && reader.TryRead(out var operation))
            {
                batch.Add(operation);
            }

            CommitBatch(batch);
        }
    }

    private void CommitBatch(List<WriteOperation> batch)
    {
        while (batch.Count > 0)
        {
            int failedAt = -1;
            try
            {
                _writeSession.Begin();
                for (int i = 0; i < batch.Count; i++)
                {
                    failedAt = i;
                    batch[i].Execute(_writeSession);
                }

                failedAt = -1;
                _writeSession.Commit();
            }
            catch (Exception error)
            {
                _writeSession.Rollback();
                if (failedAt < 0)
                {
                    // The commit itself failed: nothing in the batch is durable.
                    var unavailable = new StoreUnavailableException($"SQLite commit failed: {error.Message}", error);
                    foreach (var operation in batch)
                    {
                        operation.Fail(unavailable);
                    }

                    return;
                }

                batch[failedAt].Fail(error is SqliteException
                    ? new StoreUnavailableException($"SQLite write failed: {error.Message}", error)
                    : error);
                batch.RemoveAt(failedAt);
                continue;
            }

            if (_writeSession.Events.Count > 0)
            {
                _hub.Publish(_writeSession.Events, _writeSession.CommittedRevision);
            }

            foreach (var operation in batch)
            {
                operation.Complete();
            }

            return;
        }
    }

    /// <summary>Runs a read on a pooled reader connection.</summary>
    private T Read<T>(Func<ReadSession, T> read)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_readSessions.TryDequeue(out var session))
        {
            Interlocked.Decrement(ref _pooledReadSessions);
        }
        else
        {
            session = new ReadSession(_connectionString);
        }

        bool reusable = true;
        try
        {
            return read(session);
        }
        catch (SqliteException e)
        {
            reusable = false;
            throw new StoreUnavailableException($"SQLite read failed: {e.Message}", e);
        }
        finally
        {
            if (reusable && Volatile.Read(ref _disposed) == 0 && TryReservePoolSlot())
            {
                _readSessions.Enqueue(session);
            }
            else
            {
                session.Dispose();
            }
        }
    }

    private bool TryReservePoolSlot()
    {
        if (Interlocked.Increment(ref _pooledReadSessions) <= MaxPooledReadSessions)
        {
            return true;
        }

        Interlocked.Decrement(ref _pooledReadSessions);
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_compactor is not null)
        {
            await _compactor.DisposeAsync().ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_leaseLoop, _compactionResume, _checkpointLoop).ConfigureAwait(false);
        _writes.Writer.TryComplete();
        await _writerLoop.ConfigureAwait(false);
        _hub.Close();
        _writeSession.Checkpoint(truncate: true);
        _writeSession.Dispose();
        while (_readSessions.TryDequeue(out var session))
        {
            session.Dispose();
        }

        _stopping.Dispose();
    }
}
