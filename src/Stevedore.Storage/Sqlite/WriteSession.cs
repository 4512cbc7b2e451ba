using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Stevedore.Storage.Sqlite;

/// <summary>
/// The single writer connection and the operations that run inside a write transaction.
/// Only the writer loop touches it, so it needs no locking; revisions are assigned here
/// (the writer is the only one that can advance them).
/// </summary>
internal sealed class WriteSession : IDisposable
{
    private static readonly byte[] Empty = [];

    private readonly SqliteConnection _connection;
    private readonly List<SqliteCommand> _commands = [];
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly SqliteCommand _lookup;
    private readonly SqliteCommand _append;
    private readonly SqliteCommand _setCurrent;
    private readonly SqliteCommand _removeCurrent;
    private readonly SqliteCommand _leaseExists;
    private readonly SqliteCommand _leaseKeys;
    private readonly SqliteCommand _insertLease;
    private readonly SqliteCommand _renewLease;
    private readonly SqliteCommand _deleteLease;
    private readonly SqliteCommand _expiredLeases;
    private readonly SqliteCommand _setMeta;
    private readonly SqliteCommand _deleteSuperseded;
    private readonly SqliteCommand _deleteTombstones;
    private readonly SqliteCommand _revision;

    private long _committedRevision;

    public WriteSession(string connectionString, bool durableCommits)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        using (var pragma = _connection.CreateCommand())
        {
            pragma.CommandText = $"""
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = {(durableCommits ? "FULL" : "NORMAL")};
                PRAGMA busy_timeout = 5000;
                {Schema.Create}
                """;
            pragma.ExecuteNonQuery();
        }

        _begin = Prepare("BEGIN IMMEDIATE");
        _commit = Prepare("COMMIT");
        _rollback = Prepare("ROLLBACK");
        _lookup = Prepare(
            "SELECT l.value, l.create_revision, l.revision, l.lease FROM current c JOIN log l ON l.revision = c.revision WHERE c.key = $key",
            "$key");
        _append = Prepare(
            "INSERT INTO log (revision, key, deleted, create_revision, prev_revision, lease, value) VALUES ($revision, $key, $deleted, $create, $prev, $lease, $value)",
            "$revision", "$key", "$deleted", "$create", "$prev", "$lease", "$value");
        _setCurrent = Prepare(
            "INSERT INTO current (key, revision, lease) VALUES ($key, $revision, $lease) ON CONFLICT (key) DO UPDATE SET revision = excluded.revision, lease = excluded.lease",
            "$key", "$revision", "$lease");
        _removeCurrent = Prepare("DELETE FROM current WHERE key = $key", "$key");
        _leaseExists = Prepare("SELECT 1 FROM lease WHERE id = $id", "$id");
        _leaseKeys = Prepare("SELECT key FROM current WHERE lease = $id ORDER BY key", "$id");
        _insertLease = Prepare("INSERT INTO lease (ttl_ms, expires_ms) VALUES ($ttl, $expires) RETURNING id", "$ttl", "$expires");
        _renewLease = Prepare("UPDATE lease SET expires_ms = $now + ttl_ms WHERE id = $id AND expires_ms > $now", "$id", "$now");
        _deleteLease = Prepare("DELETE FROM lease WHERE id = $id", "$id");
        _expiredLeases = Prepare("SELECT id FROM lease WHERE expires_ms <= $now ORDER BY expires_ms LIMIT 100", "$now");
        _setMeta = Prepare(
            "INSERT INTO meta (name, value) VALUES ($name, $value) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            "$name", "$value");
        // A row is superseded once a newer row of its key exists; every newer row names its
        // predecessor, so walking the newer rows of a revision window finds exactly the rows
        // to drop without scanning history that earlier compactions already cleaned.
        _deleteSuperseded = Prepare(
            "DELETE FROM log WHERE revision IN (SELECT prev_revision FROM log WHERE revision > $low AND revision <= $high AND prev_revision <> 0)",
            "$low", "$high");
        _deleteTombstones = Prepare(
            "DELETE FROM log WHERE revision > $low AND revision <= $high AND deleted = 1",
            "$low", "$high");
        _revision = Prepare(Schema.SelectRevision);

        _committedRevision = Convert.ToInt64(_revision.ExecuteScalar() ?? 0L);
        NextRevision = _committedRevision + 1;
    }

    /// <summary>The revision the next appended row gets.</summary>
    public long NextRevision { get; private set; }

    public long CommittedRevision => _committedRevision;

    /// <summary>Changes made by the current transaction, in revision order.</summary>
    public List<WatchEvent> Events { get; } = [];

    public long ReadScalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L);
    }

    /// <summary>
    /// Copies the WAL into the database file, outside any transaction. With
    /// <paramref name="truncate"/> (on close) it also empties the WAL so the file stands alone.
    /// </summary>
    public void Checkpoint(bool truncate)
    {
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = truncate ? "PRAGMA wal_checkpoint(TRUNCATE)" : "PRAGMA wal_checkpoint(PASSIVE)";
            command.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // Readers still open elsewhere; the next open recovers from the WAL anyway.
        }
    }

    public void Begin()
    {
        Events.Clear();
        _begin.ExecuteNonQuery();
    }

    public void Commit()
    {
        _commit.ExecuteNonQuery();
        _committedRevision = NextRevision - 1;
    }

    /// <summary>Undoes the open transaction and forgets the revisions it had handed out.</summary>
    public void Rollback()
    {
        Events.Clear();
        NextRevision = _committedRevision + 1;
        try
        {
            if (!_connection.Handle!.IsInvalid && raw.sqlite3_get_autocommit(_connection.Handle) == 0)
            {
                _rollback.ExecuteNonQuery();
            }
        }
        catch (SqliteException)
        {
            // SQLite already rolled back (e.g. after an I/O error); the writer must go on.
        }
    }

    public WriteResult Create(string key, byte[] value, long leaseId)
    {
        var existing = Lookup(key);
        if (existing is not null)
        {
            return new WriteResult(WriteOutcome.AlreadyExists, NextRevision - 1, existing);
        }

        EnsureLease(leaseId);
        long revision = Append(key, deleted: false, createRevision: 0, prevRevision: 0, leaseId, value);
        SetCurrent(key, revision, leaseId);
        var current = new KeyValue(key, value, revision, revision, leaseId);
        Events.Add(new WatchEvent(WatchEventType.Put, current, null));
        return new WriteResult(WriteOutcome.Succeeded, revision, current);
    }

    public WriteResult Update(string key, byte[] value, long expectedModRevision, long leaseId)
    {
        var existing = Lookup(key);
        if (existing is null)
        {
            return new WriteResult(WriteOutcome.NotFound, NextRevision - 1, null);
        }

        if (existing.ModRevision != expectedModRevision)
        {
            return new WriteResult(WriteOutcome.Conflict, NextRevision - 1, existing);
        }

        EnsureLease(leaseId);
        long revision = Append(key, deleted: false, existing.CreateRevision, existing.ModRevision, leaseId, value);
        SetCurrent(key, revision, leaseId);
        var current = new KeyValue(key, value, existing.CreateRevision, revision, leaseId);
        Events.Add(new WatchEvent(WatchEventType.Put, current, existing));
        return new WriteResult(WriteOutcome.Succeeded, revision, current);
    }

    public WriteResult Delete(string key, long expectedModRevision)
    {
        var existing = Lookup(key);
        if (existing is null)
        {
            return new WriteResult(WriteOutcome.NotFound, NextRevision - 1, null);
        }

        if (expectedModRevision != 0 && existing.ModRevision != expectedModRevision)
        {
            return new WriteResult(WriteOutcome.Conflict, NextRevision - 1, existing);
        }

        long revision = Append(key, deleted: true, existing.CreateRevision, existing.ModRevision, existing.LeaseId, Empty);
        _removeCurrent.Parameters[0].Value = key;
        _removeCurrent.ExecuteNonQuery();
        Events.Add(new WatchEvent(WatchEventType.Delete, new KeyValue(key, Empty, 0, revision, 0), existing));
        return new WriteResult(WriteOutcome.Succeeded, revision, existing);
    }

    public long GrantLease(long ttlMilliseconds, long nowMilliseconds)
    {
        _insertLease.Parameters[0].Value = ttlMilliseconds;
        _insertLease.Parameters[1].Value = nowMilliseconds + ttlMilliseconds;
        return Convert.ToInt64(_insertLease.ExecuteScalar());
    }

    public bool RenewLease(long leaseId, long nowMilliseconds)
    {
        _renewLease.Parameters[0].Value = leaseId;
        _renewLease.Parameters[1].Value = nowMilliseconds;
        return _renewLease.ExecuteNonQuery() == 1;
    }

    /// <summary>Deletes the lease and, as ordinary delete events, every key attached to it.</summary>
    public void RevokeLease(long leaseId)
    {
        var keys = new List<string>();
        _leaseKeys.Parameters[0].Value = leaseId;
        using (var reader = _leaseKeys.ExecuteReader())
        {
            while (reader.Read())
            {
                keys.Add(reader.GetString(0));
            }
        }

        foreach (string key in keys)
        {
            Delete(key, 0);
        }

        _deleteLease.Parameters[0].Value = leaseId;
        _deleteLease.ExecuteNonQuery();
    }

    public int RevokeExpiredLeases(long nowMilliseconds)
    {
        var expired = new List<long>();
        _expiredLeases.Parameters[0].Value = nowMilliseconds;
        using (var reader = _expiredLeases.ExecuteReader())
        {
            while (reader.Read())
            {
                expired.Add(reader.GetInt64(0));
            }
        }

        foreach (long leaseId in expired)
        {
            RevokeLease(leaseId);
        }

        return expired.Count;
    }

    public void SetMeta(string name, long value)
    {
        _setMeta.Parameters[0].Value = name;
        _setMeta.Parameters[1].Value = value;
        _setMeta.ExecuteNonQuery();
    }

    /// <summary>Drops the history that writes in (<paramref name="low"/>, <paramref name="high"/>] made obsolete.</summary>
    public void CompactWindow(long low, long high)
    {
        _deleteSuperseded.Parameters[0].Value = low;
        _deleteSuperseded.Parameters[1].Value = high;
        _deleteSuperseded.ExecuteNonQuery();
        _deleteTombstones.Parameters[0].Value = low;
        _deleteTombstones.Parameters[1].Value = high;
        _deleteTombstones.ExecuteNonQuery();
        SetMeta(Schema.CompactedThroughName, high);
    }

    private KeyValue? Lookup(string key)
    {
        _lookup.Parameters[0].Value = key;
        using var reader = _lookup.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return new KeyValue(key, reader.GetFieldValue<byte[]>(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    private void EnsureLease(long leaseId)
    {
        if (leaseId == 0)
        {
            return;
        }

        _leaseExists.Parameters[0].Value = leaseId;
        if (_leaseExists.ExecuteScalar() is null)
        {
            throw new InvalidOperationException($"lease {leaseId} not found");
        }
    }

    private long Append(string key, bool deleted, long createRevision, long prevRevision, long leaseId, byte[] value)
    {
        long revision = NextRevision++;
        var parameters = _append.Parameters;
        parameters[0].Value = revision;
        parameters[1].Value = key;
        parameters[2].Value = deleted ? 1L : 0L;
        parameters[3].Value = createRevision == 0 ? revision : createRevision;
        parameters[4].Value = prevRevision;
        parameters[5].Value = leaseId;
        parameters[6].Value = value;
        _append.ExecuteNonQuery();
        return revision;
    }

    private void SetCurrent(string key, long revision, long leaseId)
    {
        _setCurrent.Parameters[0].Value = key;
        _setCurrent.Parameters[1].Value = revision;
        _setCurrent.Parameters[2].Value = leaseId;
        _setCurrent.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, params ReadOnlySpan<string> parameterNames)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (string name in parameterNames)
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }

        command.Prepare();
        _commands.Add(command);
        return command;
    }

    /// <summary>Bytes for a parameter without copying when the memory already is a whole array.</summary>
    public static byte[] AsArray(ReadOnlyMemory<byte> value) =>
        MemoryMarshal.TryGetArray(value, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToArray();

    public void Dispose()
    {
        foreach (var command in _commands)
        {
            command.Dispose();
        }

        _connection.Dispose();
    }
}
