namespace Stevedore.Storage.Sqlite;

/// <summary>
/// The SQLite layout. <c>log</c> is the history: every write appends a row whose
/// autoincrement id is the write's revision (kine's design), so the revision survives
/// restarts and compaction. <c>current</c> indexes the newest live row of every key, which
/// keeps newest-revision gets and ranges to one index walk instead of a GROUP BY over history.
/// </summary>
internal static class Schema
{
    public const string CompactedRevisionName = "compacted_revision";
    public const string CompactedThroughName = "compacted_through";

    public const string Create = """
        CREATE TABLE IF NOT EXISTS log (
            revision INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL,
            deleted INTEGER NOT NULL,
            create_revision INTEGER NOT NULL,
            prev_revision INTEGER NOT NULL,
            lease INTEGER NOT NULL,
            value BLOB NOT NULL
        );
        CREATE INDEX IF NOT EXISTS log_key_revision ON log (key, revision);
        CREATE TABLE IF NOT EXISTS current (
            key TEXT PRIMARY KEY,
            revision INTEGER NOT NULL,
            lease INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS current_lease ON current (lease) WHERE lease <> 0;
        CREATE TABLE IF NOT EXISTS lease (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            ttl_ms INTEGER NOT NULL,
            expires_ms INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS lease_expires ON lease (expires_ms);
        CREATE TABLE IF NOT EXISTS meta (
            name TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        """;

    /// <summary>The newest revision ever written, even if compaction removed its row.</summary>
    public const string SelectRevision =
        "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'log'), 0)";

    public const string SelectCompactedRevision =
        "SELECT COALESCE((SELECT value FROM meta WHERE name = '" + CompactedRevisionName + "'), 0)";

    public const string SelectCompactedThrough =
        "SELECT COALESCE((SELECT value FROM meta WHERE name = '" + CompactedThroughName + "'), 0)";
}
