using Stevedore.Client.Resources;

namespace Stevedore.Client.Informers;

/// <summary>The two calls a <see cref="Reflector{T}"/> makes: list (a page) and watch.</summary>
public interface IListerWatcher<T>
    where T : class
{
    Task<ResourceList<T>> ListAsync(ListOptions options, CancellationToken cancellationToken);

    IAsyncEnumerable<WatchEvent<T>> WatchAsync(ListOptions options, CancellationToken cancellationToken);
}
