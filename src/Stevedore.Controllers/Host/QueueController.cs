using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Cache;
using Stevedore.Client.Controllers;
using Stevedore.Client.Informers;
using Stevedore.Client.WorkQueues;

namespace Stevedore.Controllers.Host;

/// <summary>
/// The common shape of a controller: handlers enqueue <c>namespace/name</c> keys into a
/// rate-limited queue; <see cref="WorkerLoop"/> workers call <see cref="SyncAsync"/> per key.
/// </summary>
public abstract class QueueController : IController, IDisposable
{
    private readonly List<IDisposable> _registrations = [];
    private readonly int _workers;

    /// <summary>Creates the controller with its own queue.</summary>
    protected QueueController(ILogger logger, TimeProvider time, int workers)
    {
        Logger = logger;
        Time = time;
        _workers = workers;
        Queue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(time), time);
    }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <summary>The work queue of keys.</summary>
    protected RateLimitingQueue<string> Queue { get; }

    protected ILogger Logger { get; }

    protected TimeProvider Time { get; }

    protected DateTime Now => Time.GetUtcNow().UtcDateTime;

    /// <inheritdoc />
    public abstract void Register(SharedInformerFactory informers);

    /// <inheritdoc />
    public virtual Task RunAsync(CancellationToken cancellationToken) => WorkerLoop.RunAsync(Queue, SyncAsync, _workers, Logger, cancellationToken);

    /// <summary>Reads the caches for <paramref name="key"/>, decides, writes the difference. Throw to retry with backoff.</summary>
    protected abstract Task SyncAsync(string key, CancellationToken cancellationToken);

    /// <summary>Adds handlers and remembers them for <see cref="Dispose()"/>.</summary>
    protected void Handle<T>(SharedInformer<T> informer, Action<T>? onAdd = null, Action<T, T>? onUpdate = null, Action<T>? onDelete = null)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        _registrations.Add(informer.AddEventHandler(onAdd, onUpdate, onDelete));

    /// <summary>Enqueues the object's own key.</summary>
    protected void Enqueue(IKubernetesObject<V1ObjectMeta> obj) => Queue.Add(ObjectKeys.For(obj));

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var registration in _registrations)
            {
                registration.Dispose();
            }

            Queue.Dispose();
        }
    }
}
