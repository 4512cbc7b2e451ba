namespace Stevedore.Client.Cache;

/// <summary>Where a reflector writes what it lists and watches (a <see cref="DeltaFifo{T}"/>).</summary>
public interface IReflectorStore<in T>
    where T : class
{
    void Add(T obj);

    void Update(T obj);

    void Delete(T obj);

    /// <summary>The complete state after a list; objects missing from it were deleted meanwhile.</summary>
    void Replace(IReadOnlyCollection<T> objects, string resourceVersion);

    /// <summary>Queues a <see cref="DeltaType.Sync"/> for every known object that has nothing queued.</summary>
    void Resync();
}
