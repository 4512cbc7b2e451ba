using Microsoft.Data.Sqlite;

namespace Stevedore.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <summary>
    /// Copies committed WAL pages into the database file on a separate connection, where a
    /// passive checkpoint blocks no one. The writer keeps SQLite's automatic checkpoint,
    /// which then only has the few frames written since to copy, and which is what lets the
    /// WAL start over instead of growing under a steady write load.
    /// </summary>
    private async Task CheckpointLoopAsync()
    {
        try
        {
            using var timer = new PeriodicTimer(_options.CheckpointInterval, _options.TimeProvider);
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    checkpoint.ExecuteNonQuery();
                }
                catch (SqliteException)
                {
                    // Busy or a transient I/O problem; the next tick tries again.
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }
}
