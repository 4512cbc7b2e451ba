using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Cache;
using Stevedore.Client.Informers;
using Stevedore.Client.Resources;
using Stevedore.Client.Selectors;
using Stevedore.Controllers.Common;
using Stevedore.Controllers.EndpointSlice;

namespace Stevedore.Controllers.Host;

/// <summary>
/// Wires <see cref="EndpointSliceLogic"/>: keeps the EndpointSlices of every Service with a
/// selector. Pod changes enqueue their Services at once. Slices are created with generated
/// names, so a sync waits until the cache shows this controller's own last writes
/// (<see cref="EndpointSliceTracker"/>) instead of creating a slice twice.
/// </summary>
public sealed class EndpointSliceController : QueueController
{
    private static readonly TimeSpan StaleRetry = TimeSpan.FromMilliseconds(50);

    private readonly ResourceClient<V1EndpointSlice> _slices;
    private readonly EndpointSliceTracker _tracker = new();
    private Lister<V1Service> _serviceLister = null!;
    private Lister<V1Pod> _podLister = null!;
    private Lister<V1EndpointSlice> _sliceLister = null!;

    public EndpointSliceController(IKubernetes client, ILogger logger, TimeProvider time, int workers = 4)
        : base(logger, time, workers) =>
        _slices = new ResourceClient<V1EndpointSlice>(client);

    public override string Name => "endpointslice";

    public override void Register(SharedInformerFactory informers)
    {
        var services = informers.GetInformer<V1Service>();
        var pods = informers.GetInformer<V1Pod>();
        var slices = informers.GetInformer<V1EndpointSlice>();
        _serviceLister = services.Lister;
        _podLister = pods.Lister;
        _sliceLister = slices.Lister;
        Handle(services, Enqueue, (_, s) => Enqueue(s), s =>
        {
            // The garbage collector removes its slices (they are owned by the Service).
            _tracker.Forget(ObjectKeys.For(s));
        });
        Handle(pods,
            pod => AddAll(ServiceMembership.Of(_serviceLister, pod)),
            (before, after) => AddAll(ServiceMembership.OfChange(_serviceLister, before, after)),
            pod => AddAll(ServiceMembership.Of(_serviceLister, pod)));
        Handle(slices, EnqueueOwner, (before, after) =>
        {
            EnqueueOwner(before);
            EnqueueOwner(after);
        }, slice =>
        {
            // Deleted by anyone: no write of ours to it can still be on its way.
            if (ServiceKey(slice) is { } key)
            {
                _tracker.SliceDeleted(key, slice.Metadata.Name);
            }

            EnqueueOwner(slice);
        });
    }

    private static string? ServiceKey(V1EndpointSlice slice) =>
        EndpointSliceLogic.IsManaged(slice) && EndpointRules.ValueOf(slice.Metadata.Labels, EndpointSliceLogic.ServiceNameLabel) is { Length: > 0 } service
            ? ObjectKeys.For(slice.Metadata.NamespaceProperty, service)
            : null;

    // A managed slice changed by someone else (or deleted) is put back by its Service's sync.
    private void EnqueueOwner(V1EndpointSlice slice)
    {
        if (ServiceKey(slice) is { } key)
        {
            Queue.Add(key);
        }
    }

    private void AddAll(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            Queue.Add(key);
        }
    }

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        if (_serviceLister.Get(ns, name) is not { } service)
        {
            _tracker.Forget(key);
            return;
        }

        var selector = LabelSelector.Parse($"{EndpointSliceLogic.ServiceNameLabel}={name},{EndpointSliceLogic.ManagedByLabel}={EndpointSliceLogic.ControllerName}");
        var existing = _sliceLister.List(ns!, selector);
        if (!_tracker.CacheShowsOwnWrites(key, existing))
        {
            // The informer has not delivered this controller's last writes yet; their events requeue the key too.
            Queue.AddAfter(key, StaleRetry);
            return;
        }

        var plan = EndpointSliceLogic.Plan(service, _podLister.List(ns!, null), existing);
        if (plan.IsEmpty)
        {
            return;
        }

        foreach (var slice in plan.ToDelete)
        {
            await _slices.DeleteAsync(ns, slice.Metadata.Name, null, cancellationToken).ConfigureAwait(false);
            _tracker.Deleted(key, slice.Metadata.Name);
        }

        foreach (var slice in plan.ToUpdate)
        {
            var written = await _slices.ReplaceAsync(slice, cancellationToken).ConfigureAwait(false);
            _tracker.Written(key, written);
        }

        foreach (var slice in plan.ToCreate)
        {
            try
            {
                var written = await _slices.CreateAsync(slice, cancellationToken).ConfigureAwait(false);
                _tracker.Written(key, written);
            }
            catch (Exception ex) when (EndpointsController.IsNamespaceTerminating(ex))
            {
                return;
            }
        }
    }
}
