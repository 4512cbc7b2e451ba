using System.Collections.Concurrent;

namespace Stevedore.Runtime.Containers;

/// <summary>
/// Container records on disk, one directory per container; safe to share between processes. Records
/// returned by <see cref="List"/> and <see cref="Find"/> are shared, read-only snapshots: change a record
/// only through <see cref="Update"/>.
/// </summary>
public sealed class ContainerStore
{
    /// <summary>
    /// A record file whose modification time is older than this is trusted not to have changed while its
    /// time and size stay the same. Younger files are read again: two writes within the file system's
    /// timestamp granularity (a kernel tick) may leave the same time and size (git's "racy" entries).
    /// </summary>
    private static readonly TimeSpan SettledAge = TimeSpan.FromSeconds(1);

    private readonly string _root;

    // Every CRI call lists all records (the kubelet relists every second and per pod sync): parsing each
    // file every time made the engine's CPU grow with the number of containers. Shims in other processes
    // write records too, so a cached record is reused only while its file's time and size are unchanged.
    private readonly ConcurrentDictionary<string, CachedRecord> _cache = new(StringComparer.Ordinal);

    /// <summary>Opens (and creates) the store under <paramref name="root"/>.</summary>
    public ContainerStore(string root)
    {
        _root = root;
        Directory.CreateDirectory(root);
    }

    /// <summary>The lock that serializes name allocation.</summary>
    public string NamesLock => Path.Combine(_root, "names.lock");

    /// <summary>The paths of a container.</summary>
    public ContainerPaths PathsOf(string id) => new(_root, id);

    /// <summary>All containers, oldest first.</summary>
    public IReadOnlyList<ContainerRecord> List()
    {
        var records = new List<ContainerRecord>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories(_root))
        {
            var id = Path.GetFileName(dir);
            if (!id.StartsWith('.') && ReadThroughCache(id, Path.Combine(dir, "container.json")) is { } record)
            {
                records.Add(record);
                present.Add(id);
            }
        }

        foreach (var gone in _cache.Keys.Where(id => !present.Contains(id)))
        {
            _cache.TryRemove(gone, out _);
        }

        return [.. records.OrderBy(r => r.Created)];
    }

    /// <summary>Finds a container by full ID, unique ID prefix or name.</summary>
    public ContainerRecord Find(string idOrName)
    {
        var all = List();
        var match = all.FirstOrDefault(r => r.Id == idOrName || r.Name == idOrName || r.Name == idOrName.TrimStart('/'));
        if (match is not null)
        {
            return match;
        }

        var byPrefix = idOrName.Length >= 3 ? all.Where(r => r.Id.StartsWith(idOrName, StringComparison.Ordinal)).ToList() : [];
        return byPrefix.Count switch
        {
            1 => byPrefix[0],
            0 => throw new EngineException(EngineErrorKind.NotFound, $"no such container: {idOrName}"),
            _ => throw new EngineException(EngineErrorKind.InvalidArgument, $"container ID prefix \"{idOrName}\" is ambiguous"),
        };
    }

    /// <summary>Reads a record by exact ID.</summary>
    public ContainerRecord Get(string id) =>
        JsonFile.Read(PathsOf(id).Record, ContainerRecordJson.Default.ContainerRecord) ?? throw new EngineException(EngineErrorKind.NotFound, $"no such container: {id}");

    /// <summary>Writes a record.</summary>
    public void Save(ContainerRecord record) => JsonFile.Write(PathsOf(record.Id).Record, record, ContainerRecordJson.Default.ContainerRecord);

    private ContainerRecord? ReadThroughCache(string id, string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            _cache.TryRemove(id, out _);
            return null;
        }

        var (writtenAt, length) = (file.LastWriteTimeUtc, file.Length);
        if (_cache.TryGetValue(id, out var cached) && cached.Settled && cached.WrittenAt == writtenAt && cached.Length == length)
        {
            return cached.Record;
        }

        var record = JsonFile.Read(path, ContainerRecordJson.Default.ContainerRecord);
        if (record is null)
        {
            _cache.TryRemove(id, out _);
            return null;
        }

        // If the file was replaced between the stat and the read, the next stat differs and reads it again.
        _cache[id] = new CachedRecord(writtenAt, length, DateTime.UtcNow - writtenAt > SettledAge, record);
        return record;
    }

    /// <summary>Reads, changes and writes a record under the container's lock; returns the new record.</summary>
    public ContainerRecord Update(string id, Action<ContainerRecord> change)
    {
        using var _ = JsonFile.Lock(PathsOf(id).Lock);
        var record = Get(id);
        change(record);
        Save(record);
        return record;
    }

    private sealed record CachedRecord(DateTime WrittenAt, long Length, bool Settled, ContainerRecord Record);
}
