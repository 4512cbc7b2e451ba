namespace Stevedore.Client.Cache;

/// <summary>What a <see cref="DeltaFifo{T}"/> needs to know about the cache it feeds, to detect deletions and resync.</summary>
public interface IKnownObjects<T>
    where T : class
{
    IReadOnlyList<string> ListKeys();

    T? GetByKey(string key);
}
