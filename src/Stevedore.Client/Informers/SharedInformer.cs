using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Cache;

namespace Stevedore.Client.Informers;

/// <summary>
/// One watch of one resource feeding one cache (<see cref="Indexer"/>, read through
/// <see cref="Lister"/>) and any number of event handlers: Reflector → DeltaFifo → Indexer →
/// handlers. Share it (see <see cref="SharedInformerFactory"/>) instead of watching the same
/// resource twice.
/// </summary>
public sealed partial class SharedInformer<T> : ISharedInformer
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IListerWatcher<T> _listerWatcher;
    private readonly SharedInformerOptions _options;
    private readonly ILogger _logger;
    private readonly DeltaFifo<T> _fifo;
    private readonly Lock _listenersLock = new();
    private readonly List<Listener> _listeners = [];
    private int _started;

    public SharedInformer(IListerWatcher<T> listerWatcher, SharedInformerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(listerWatcher);
        _listerWatcher = listerWatcher;
        _options = options ?? new SharedInformerOptions();
        _logger = _options.LoggerFactory.CreateLogger("Stevedore.Client.Informers." + typeof(T).Name);
        Indexer = new Indexer<T>();
        Lister = new Lister<T>(Indexer);
        _fifo = new DeltaFifo<T>(Indexer);
        Reflector = new Reflector<T>(_listerWatcher, _fifo, new ReflectorOptions
        {
            ResyncPeriod = _options.ResyncPeriod,
            Time = _options.Time,
            Logger = _logger,
        });
    }

    /// <summary>The cache. Add custom indexes with <see cref="Indexer{T}.AddIndexers"/>.</summary>
    public Indexer<T> Indexer { get; }

    public Lister<T> Lister { get; }

    public Reflector<T> Reflector { get; }

    /// <summary>True once the first complete list has been applied to the cache.</summary>
    public bool HasSynced => _fifo.HasSynced;

    public bool IsStarted => Volatile.Read(ref _started) == 1;

    /// <summary>The resourceVersion the cache is at.</summary>
    public string LastSyncResourceVersion => Reflector.LastSyncResourceVersion;

    /// <summary>
    /// Registers a handler. When the cache already holds objects the handler first gets an
    /// OnAdd for each. Dispose the result to unregister.
    /// </summary>
    public IDisposable AddEventHandler(IResourceEventHandler<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var listener = new Listener(this, handler);
        lock (_listenersLock)
        {
            // Under the lock that delivery takes too, so the snapshot and later events do not overlap.
            foreach (var obj in Indexer.List())
            {
                listener.Post(new Notification(NotificationKind.Add, null, obj, !HasSynced));
            }

            _listeners.Add(listener);
        }

        return listener;
    }

    /// <summary>Registers delegates as a handler; see <see cref="AddEventHandler(IResourceEventHandler{T})"/>.</summary>
    public IDisposable AddEventHandler(Action<T>? onAdd = null, Action<T, T>? onUpdate = null, Action<T>? onDelete = null) =>
        AddEventHandler(new ResourceEventHandler<T>(onAdd, onUpdate, onDelete));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException($"the informer of {typeof(T).Name} is already running");
        }

        var reflector = Reflector.RunAsync(cancellationToken);
        try
        {
            while (await _fifo.PopAsync(HandleDeltas, cancellationToken).ConfigureAwait(false))
            {
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await reflector.ConfigureAwait(false);
            lock (_listenersLock)
            {
                foreach (var listener in _listeners)
                {
                    listener.Complete();
                }
            }
        }
    }

    public async Task<bool> WaitForCacheSyncAsync(CancellationToken cancellationToken)
    {
        while (!HasSynced)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), _options.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Applies one key's deltas to the cache and tells the handlers (runs under the fifo's lock).</summary>
    private void HandleDeltas(IReadOnlyList<Delta<T>> deltas, bool isInInitialList)
    {
        foreach (var delta in deltas)
        {
            var obj = delta.Object;
            if (delta.Type == DeltaType.Deleted)
            {
                Indexer.Delete(obj);
                Distribute(new Notification(NotificationKind.Delete, null, obj, delta.IsFinalStateUnknown), isSync: false);
                continue;
            }

            var old = Indexer.GetByKey(ObjectKeys.For(obj));
            Indexer.Upsert(obj);
            if (old is null)
            {
                Distribute(new Notification(NotificationKind.Add, null, obj, isInInitialList), isSync: false);
                continue;
            }

            // A relist that returns an unchanged object is a resync, not a change.
            var isSync = delta.Type == DeltaType.Sync
                || (delta.Type == DeltaType.Replaced && old.Metadata?.ResourceVersion == obj.Metadata?.ResourceVersion);
            Distribute(new Notification(NotificationKind.Update, old, obj, false), isSync);
        }
    }

    private void Distribute(Notification notification, bool isSync)
    {
        if (isSync && _options.ResyncPeriod <= TimeSpan.Zero)
        {
            return;
        }

        lock (_listenersLock)
        {
            foreach (var listener in _listeners)
            {
                listener.Post(notification);
            }
        }
    }

    private void Remove(Listener listener)
    {
        lock (_listenersLock)
        {
            _listeners.Remove(listener);
        }
    }

    private enum NotificationKind
    {
        Add,
        Update,
        Delete,
    }

    private readonly record struct Notification(NotificationKind Kind, T? Old, T New, bool Flag);

    /// <summary>One handler with its own unbounded queue and delivery task.</summary>
    private sealed class Listener : IDisposable
    {
        private readonly SharedInformer<T> _informer;
        private readonly IResourceEventHandler<T> _handler;
        private readonly Channel<Notification> _channel = Channel.CreateUnbounded<Notification>(new UnboundedChannelOptions { SingleReader = true });

        public Listener(SharedInformer<T> informer, IResourceEventHandler<T> handler)
        {
            _informer = informer;
            _handler = handler;
            _ = Task.Run(DeliverAsync);
        }

        public void Post(Notification notification) => _channel.Writer.TryWrite(notification);

        public void Complete() => _channel.Writer.TryComplete();

        public void Dispose()
        {
            _informer.Remove(this);
            Complete();
        }

        private async Task DeliverAsync()
        {
            await foreach (var n in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    switch (n.Kind)
                    {
                        case NotificationKind.Add:
                            _handler.OnAdd(n.New, n.Flag);
                            break;
                        case NotificationKind.Update:
                            _handler.OnUpdate(n.Old!, n.New);
                            break;
                        default:
                            _handler.OnDelete(n.New, n.Flag);
                            break;
                    }
                }
                catch (Exception ex)
                {
                    // A failing handler must not stop the others or later events.
                    LogHandlerFailed(_informer._logger, typeof(T).Name, ex);
                }
            }
        }
    }
}
