using System.Text;
using Microsoft.Data.Sqlite;

namespace Stevedore.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const string GetSql =
        "SELECT l.value, l.create_revision, l.revision, l.lease FROM current c JOIN log l ON l.revision = c.revision WHERE c.key = $key";

    public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Read(session =>
        {
            var command = session.Command(GetSql, "$key");
            command.Parameters[0].Value = key;
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new KeyValue(key, reader.GetFieldValue<byte[]>(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3))
                : null;
        }));
    }

    public Task<RangeResult> RangeAsync(RangeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (request.Revision > 0)
        {
            long current = _hub.PublishedRevision;
            if (request.Revision > current)
            {
                throw new StoreFutureRevisionException(request.Revision, current);
            }
        }

        return Task.FromResult(Read(session =>
        {
            session.BeginSnapshot();
            try
            {
                return RangeInSnapshot(session, request);
            }
            finally
            {
                session.EndSnapshot();
            }
        }));
    }

    private static RangeResult RangeInSnapshot(ReadSession session, RangeRequest request)
    {
        long newest = session.Scalar(Schema.SelectRevision);
        long revision = request.Revision;
        if (revision > 0 && revision < newest)
        {
            long compacted = session.Scalar(Schema.SelectCompactedRevision);
            if (revision < compacted)
            {
                throw new StoreCompactedException(revision, compacted);
            }
        }
        else
        {
            // At the newest revision the current table answers without touching history.
            revision = newest;
        }

        bool historical = revision < newest;
        var (lower, exclusive) = KeyRanges.LowerBound(request.Prefix, request.StartAfterKey);
        string? upper = KeyRanges.PrefixEnd(request.Prefix);
        var sql = RangeSql.For(historical, exclusive, upper is not null);

        var count = session.Command(sql.Count, "$low", "$high", "$revision");
        Bind(count, lower, upper, revision);
        long total = Convert.ToInt64(count.ExecuteScalar() ?? 0L);
        if (request.CountOnly)
        {
            return new RangeResult([], revision, false, total);
        }

        var select = session.Command(sql.Select, "$low", "$high", "$revision", "$limit");
        Bind(select, lower, upper, revision);
        select.Parameters[3].Value = request.Limit > 0 ? request.Limit + 1 : -1L;
        var items = new List<KeyValue>(request.Limit > 0 ? (int)Math.Min(request.Limit + 1, 1024) : 16);
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                items.Add(new KeyValue(
                    reader.GetString(0), reader.GetFieldValue<byte[]>(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
            }
        }

        bool more = request.Limit > 0 && items.Count > request.Limit;
        if (more)
        {
            items.RemoveAt(items.Count - 1);
        }

        return new RangeResult(items, revision, more, total);
    }

    private static void Bind(SqliteCommand command, string lower, string? upper, long revision)
    {
        command.Parameters[0].Value = lower;
        command.Parameters[1].Value = (object?)upper ?? DBNull.Value;
        command.Parameters[2].Value = revision;
    }

    /// <summary>The statements of one range shape; eight shapes, each prepared once per reader.</summary>
    private sealed record RangeSql(string Select, string Count)
    {
        private static readonly RangeSql[] Shapes = Build();

        public static RangeSql For(bool historical, bool exclusive, bool bounded) =>
            Shapes[(historical ? 4 : 0) + (exclusive ? 2 : 0) + (bounded ? 1 : 0)];

        private static RangeSql[] Build()
        {
            var shapes = new RangeSql[8];
            for (int i = 0; i < 8; i++)
            {
                bool historical = (i & 4) != 0;
                bool exclusive = (i & 2) != 0;
                bool bounded = (i & 1) != 0;
                shapes[i] = historical ? Historical(exclusive, bounded) : Newest(exclusive, bounded);
            }

            return shapes;
        }

        private static string Where(string column, bool exclusive, bool bounded)
        {
            // $revision is bound by every shape so that all share one parameter layout.
            var where = new StringBuilder()
                .Append(column).Append(exclusive ? " > $low" : " >= $low")
                .Append(bounded ? $" AND {column} < $high" : " AND $high IS NULL");
            return where.ToString();
        }

        private static RangeSql Newest(bool exclusive, bool bounded)
        {
            string where = Where("c.key", exclusive, bounded) + " AND $revision >= 0";
            return new RangeSql(
                $"SELECT c.key, l.value, l.create_revision, l.revision, l.lease FROM current c JOIN log l ON l.revision = c.revision WHERE {where} ORDER BY c.key LIMIT $limit",
                $"SELECT COUNT(*) FROM current c WHERE {where}");
        }

        private static RangeSql Historical(bool exclusive, bool bounded)
        {
            // Grouping walks the (key, revision) index in key order, so with the join driven
            // by it SQLite can stop after LIMIT rows instead of resolving every key first.
            string newestRows =
                $"SELECT key, MAX(revision) AS revision FROM log WHERE {Where("key", exclusive, bounded)} AND revision <= $revision GROUP BY key";
            return new RangeSql(
                $"SELECT l.key, l.value, l.create_revision, l.revision, l.lease FROM ({newestRows}) n JOIN log l ON l.revision = n.revision WHERE l.deleted = 0 ORDER BY n.key LIMIT $limit",
                $"SELECT COUNT(*) FROM ({newestRows}) n JOIN log l ON l.revision = n.revision WHERE l.deleted = 0");
        }
    }
}
