using Stevedore.Storage.Etcd;
using Stevedore.Storage.Sqlite;

namespace Stevedore.Storage;

/// <summary>Opens the backend named by a <c>--datastore</c> value; the URI scheme picks the backend.</summary>
public static class StoreFactory
{
    public const string DefaultFileName = "state.db";

    /// <summary>How often a store opened here compacts its history (kube-apiserver's default).</summary>
    public static readonly TimeSpan DefaultCompactionInterval = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Opens <paramref name="datastore"/>: <c>sqlite</c> (the file <c>state.db</c> in
    /// <paramref name="dataDir"/>), <c>sqlite:///absolute/path.db</c>, or
    /// <c>etcd://host:port[,host:port...]</c>.
    /// The store compacts itself every <see cref="DefaultCompactionInterval"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The value names no known backend.</exception>
    public static IStore Open(string datastore, string dataDir) =>
        Open(
            datastore,
            dataDir,
            new SqliteStoreOptions { CompactionInterval = DefaultCompactionInterval },
            new EtcdStoreOptions { CompactionInterval = DefaultCompactionInterval });

    /// <summary>Opens <paramref name="datastore"/> (see <see cref="Open(string, string)"/>) with explicit options.</summary>
    public static IStore Open(string datastore, string dataDir, SqliteStoreOptions? sqliteOptions, EtcdStoreOptions? etcdOptions)
    {
        ArgumentNullException.ThrowIfNull(datastore);
        string value = datastore.Trim();
        if (value.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            ArgumentException.ThrowIfNullOrEmpty(dataDir);
            return SqliteStore.Open(Path.Combine(dataDir, DefaultFileName), sqliteOptions);
        }

        const string sqliteScheme = "sqlite://";
        if (value.StartsWith(sqliteScheme, StringComparison.OrdinalIgnoreCase))
        {
            string path = value[sqliteScheme.Length..];
            if (!Path.IsPathRooted(path) || path.EndsWith('/'))
            {
                throw new ArgumentException(
                    $"invalid datastore '{datastore}': expected sqlite:///absolute/path/to/file.db", nameof(datastore));
            }

            return SqliteStore.Open(path, sqliteOptions);
        }

        const string etcdScheme = "etcd://";
        if (value.StartsWith(etcdScheme, StringComparison.OrdinalIgnoreCase))
        {
            return EtcdStore.Connect(ParseEtcdEndpoints(value[etcdScheme.Length..], datastore), etcdOptions);
        }

        throw new ArgumentException(
            $"unknown datastore '{datastore}': use 'sqlite', 'sqlite:///absolute/path.db' or 'etcd://host:port[,host:port...]'",
            nameof(datastore));
    }

    /// <summary>Splits <c>h1:2379,h2:2379</c>; a missing port means 2379, etcd's client port.</summary>
    internal static IReadOnlyList<string> ParseEtcdEndpoints(string hosts, string datastore)
    {
        var endpoints = new List<string>();
        foreach (string part in hosts.TrimEnd('/').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = part.Contains(':', StringComparison.Ordinal) ? part : part + ":2379";
            if (!Uri.TryCreate("http://" + candidate, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || uri.Port <= 0)
            {
                throw new ArgumentException($"invalid etcd endpoint '{part}' in datastore '{datastore}'", nameof(datastore));
            }

            endpoints.Add($"{uri.Host}:{uri.Port}");
        }

        if (endpoints.Count == 0)
        {
            throw new ArgumentException($"datastore '{datastore}' names no etcd endpoint", nameof(datastore));
        }

        return endpoints;
    }
}
