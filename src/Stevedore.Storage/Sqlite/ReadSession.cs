using Microsoft.Data.Sqlite;

namespace Stevedore.Storage.Sqlite;

/// <summary>
/// One reader connection with its prepared statements. Sessions are pooled by the store so
/// that a read costs neither an open nor a statement compile.
/// </summary>
internal sealed class ReadSession : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _end;

    public ReadSession(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        using (var pragma = _connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA query_only = 1;";
            pragma.ExecuteNonQuery();
        }

        _begin = Prepare("BEGIN DEFERRED");
        _end = Prepare("COMMIT");
    }

    /// <summary>A prepared statement for <paramref name="sql"/>, compiled on first use.</summary>
    /// <param name="parameterNames">Parameters the statement binds, created once.</param>
    public SqliteCommand Command(string sql, params ReadOnlySpan<string> parameterNames)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (string name in parameterNames)
            {
                command.Parameters.Add(new SqliteParameter(name, null));
            }

            command.Prepare();
            _commands.Add(sql, command);
        }

        return command;
    }

    /// <summary>Starts a snapshot so that several statements see the same revision.</summary>
    public void BeginSnapshot() => _begin.ExecuteNonQuery();

    public void EndSnapshot() => _end.ExecuteNonQuery();

    public long Scalar(string sql) => Convert.ToInt64(Command(sql).ExecuteScalar() ?? 0L);

    private SqliteCommand Prepare(string sql) => Command(sql);

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _connection.Dispose();
    }
}
