namespace Stevedore.Runtime.Containers;

/// <summary>Container records on disk, one directory per container; safe to share between processes.</summary>
public sealed class ContainerStore
{
    private readonly string _root;

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
    public IReadOnlyList<ContainerRecord> List() =>
        Directory.EnumerateDirectories(_root)
            .Where(dir => !Path.GetFileName(dir).StartsWith('.'))
            .Select(dir => JsonFile.Read<ContainerRecord>(Path.Combine(dir, "container.json")))
            .Where(r => r is not null)
            .Select(r => r!)
            .OrderBy(r => r.Created)
            .ToList();

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
        JsonFile.Read<ContainerRecord>(PathsOf(id).Record) ?? throw new EngineException(EngineErrorKind.NotFound, $"no such container: {id}");

    /// <summary>Writes a record.</summary>
    public void Save(ContainerRecord record) => JsonFile.Write(PathsOf(record.Id).Record, record);

    /// <summary>Reads, changes and writes a record under the container's lock; returns the new record.</summary>
    public ContainerRecord Update(string id, Action<ContainerRecord> change)
    {
        using var _ = JsonFile.Lock(PathsOf(id).Lock);
        var record = Get(id);
        change(record);
        Save(record);
        return record;
    }
}
