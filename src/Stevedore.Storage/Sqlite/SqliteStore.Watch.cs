using System.Runtime.CompilerServices;

namespace Stevedore.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const int HistoryPageSize = 512;

    private static readonly byte[] NoValue = [];

    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        long compacted = Volatile.Read(ref _compactedRevision);
        if (afterRevision < compacted)
        {
            throw new StoreCompactedException(afterRevision, compacted);
        }

        long delivered = afterRevision;
        while (true)
        {
            // Subscribe before reading history: whatever commits after this point arrives
            // in the buffer, everything up to publishedRevision is already in the log.
            var subscription = _hub.Subscribe(prefix, _options.WatchBufferCapacity, out long publishedRevision);
            try
            {
                while (delivered < publishedRevision)
                {
                    long from = delivered;
                    var page = Read(session => ReadHistory(session, prefix, from, publishedRevision));
                    foreach (var change in page)
                    {
                        yield return change;
                        delivered = change.Revision;
                    }

                    if (page.Count < HistoryPageSize)
                    {
                        delivered = Math.Max(delivered, publishedRevision);
                    }
                }

                var events = subscription.Events.Reader;
                while (await events.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (events.TryRead(out var change))
                    {
                        if (change.Revision <= delivered)
                        {
                            continue;
                        }

                        yield return change;
                        delivered = change.Revision;
                    }
                }

                if (!subscription.Overflowed)
                {
                    // The store is closing.
                    yield break;
                }
            }
            finally
            {
                _hub.Unsubscribe(subscription);
            }
        }
    }

    private const string HistorySql = """
        SELECT l.revision, l.key, l.deleted, l.create_revision, l.prev_revision, l.lease, l.value,
               p.create_revision, p.lease, p.value
        FROM log l LEFT JOIN log p ON p.revision = l.prev_revision
        WHERE l.revision > $after AND l.revision <= $upto AND l.key >= $low AND ($high IS NULL OR l.key < $high)
        ORDER BY l.revision LIMIT $limit
        """;

    /// <summary>Reads one page of history after <paramref name="after"/>, checking it is all still there.</summary>
    private static List<WatchEvent> ReadHistory(ReadSession session, string prefix, long after, long upto)
    {
        session.BeginSnapshot();
        try
        {
            long compacted = session.Scalar(Schema.SelectCompactedRevision);
            if (after < compacted)
            {
                throw new StoreCompactedException(after, compacted);
            }

            var command = session.Command(HistorySql, "$after", "$upto", "$low", "$high", "$limit");
            command.Parameters[0].Value = after;
            command.Parameters[1].Value = upto;
            command.Parameters[2].Value = prefix;
            command.Parameters[3].Value = (object?)KeyRanges.PrefixEnd(prefix) ?? DBNull.Value;
            command.Parameters[4].Value = HistoryPageSize;
            var page = new List<WatchEvent>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                long revision = reader.GetInt64(0);
                string key = reader.GetString(1);
                bool deleted = reader.GetInt64(2) != 0;
                long prevRevision = reader.GetInt64(4);
                KeyValue? previous = null;
                if (prevRevision != 0)
                {
                    if (reader.IsDBNull(7))
                    {
                        throw new StoreCompactedException(after, Math.Max(compacted, prevRevision));
                    }

                    previous = new KeyValue(key, reader.GetFieldValue<byte[]>(9), reader.GetInt64(7), prevRevision, reader.GetInt64(8));
                }

                page.Add(deleted
                    ? new WatchEvent(WatchEventType.Delete, new KeyValue(key, NoValue, 0, revision, 0), previous)
                    : new WatchEvent(
                        WatchEventType.Put,
                        new KeyValue(key, reader.GetFieldValue<byte[]>(6), reader.GetInt64(3), revision, reader.GetInt64(5)),
                        previous));
            }

            return page;
        }
        finally
        {
            session.EndSnapshot();
        }
    }
}
