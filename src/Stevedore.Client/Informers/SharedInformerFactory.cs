using k8s;
using k8s.Models;
using Stevedore.Client.Cache;
using Stevedore.Client.Resources;

namespace Stevedore.Client.Informers;

/// <summary>
/// Hands out one <see cref="SharedInformer{T}"/> per resource type, so every controller in the
/// process shares one watch and one cache per resource. Ask for informers, register handlers,
/// then <see cref="Start"/> and <see cref="WaitForCacheSyncAsync"/>.
/// </summary>
public sealed class SharedInformerFactory : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly SharedInformerFactoryOptions _options;
    private readonly Lock _lock = new();
    private readonly Dictionary<(Type, ResourceType), ISharedInformer> _informers = [];
    private readonly List<Task> _running = [];
    private readonly HashSet<ISharedInformer> _started = [];
    private readonly List<CancellationTokenSource> _links = [];
    private readonly CancellationTokenSource _stop = new();

    public SharedInformerFactory(IKubernetes client, SharedInformerFactoryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new SharedInformerFactoryOptions();
    }

    /// <summary>The informer of <typeparamref name="T"/>'s resource type (from its [KubernetesEntity] attribute).</summary>
    public SharedInformer<T> GetInformer<T>()
        where T : class, IKubernetesObject<V1ObjectMeta> => GetInformer<T>(ResourceType.For<T>());

    /// <summary>The informer of an explicit resource type, for example of <see cref="Unstructured"/> custom resources.</summary>
    public SharedInformer<T> GetInformer<T>(ResourceType type)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(type);
        lock (_lock)
        {
            if (_informers.TryGetValue((typeof(T), type), out var existing))
            {
                return (SharedInformer<T>)existing;
            }

            var listerWatcher = new ResourceListerWatcher<T>(new ResourceClient<T>(_client, type), _options.Namespace, _options.LabelSelector, _options.FieldSelector, _options.TrimManagedFields);
            var informer = new SharedInformer<T>(listerWatcher, new SharedInformerOptions
            {
                ResyncPeriod = _options.DefaultResync,
                Time = _options.Time,
                LoggerFactory = _options.LoggerFactory,
            });
            _informers[(typeof(T), type)] = informer;
            return informer;
        }
    }

    /// <summary>The lister of <typeparamref name="T"/>'s informer (creating the informer if needed).</summary>
    public Lister<T> GetLister<T>()
        where T : class, IKubernetesObject<V1ObjectMeta> => GetInformer<T>().Lister;

    /// <summary>
    /// Starts every informer created so far that is not running yet. Call again after asking for
    /// more informers. They run until <paramref name="cancellationToken"/> is cancelled or the
    /// factory is disposed.
    /// </summary>
    public void Start(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, cancellationToken);
            _links.Add(linked);
            foreach (var informer in _informers.Values)
            {
                if (_started.Add(informer))
                {
                    _running.Add(Task.Run(() => informer.RunAsync(linked.Token), CancellationToken.None));
                }
            }
        }
    }

    /// <summary>Waits until every started informer has synced; false when cancelled first.</summary>
    public async Task<bool> WaitForCacheSyncAsync(CancellationToken cancellationToken = default)
    {
        ISharedInformer[] informers;
        lock (_lock)
        {
            informers = [.. _started];
        }

        foreach (var informer in informers)
        {
            if (!await informer.WaitForCacheSyncAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Stops every informer and waits for them to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task[] running;
        lock (_lock)
        {
            running = [.. _running];
        }

        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var link in _links)
        {
            link.Dispose();
        }

        _stop.Dispose();
    }
}
