using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Cache;
using Stevedore.Client.Informers;
using Stevedore.Client.Resources;
using Stevedore.Controllers.Endpoints;

namespace Stevedore.Controllers.Host;

/// <summary>
/// Wires <see cref="EndpointsLogic"/>: keeps the Endpoints object of every Service with a
/// selector. Pod changes enqueue their Services at once (no batching delay), so a readiness
/// change reaches the Endpoints within one informer round trip.
/// </summary>
public sealed class EndpointsController : QueueController
{
    /// <summary>Endpoints used as leader-election locks carry this; they are never cleaned up.</summary>
    private const string LeaderAnnotation = "control-plane.alpha.kubernetes.io/leader";

    private readonly ResourceClient<V1Endpoints> _endpoints;
    private Lister<V1Service> _serviceLister = null!;
    private Lister<V1Pod> _podLister = null!;
    private Lister<V1Endpoints> _endpointsLister = null!;

    public EndpointsController(IKubernetes client, ILogger logger, TimeProvider time, int workers = 4)
        : base(logger, time, workers) =>
        _endpoints = new ResourceClient<V1Endpoints>(client);

    public override string Name => "endpoints";

    public override void Register(SharedInformerFactory informers)
    {
        var services = informers.GetInformer<V1Service>();
        var pods = informers.GetInformer<V1Pod>();
        var endpoints = informers.GetInformer<V1Endpoints>();
        _serviceLister = services.Lister;
        _podLister = pods.Lister;
        _endpointsLister = endpoints.Lister;
        Handle(services, Enqueue, (_, s) => Enqueue(s), Enqueue);
        Handle(pods,
            pod => AddAll(ServiceMembership.Of(_serviceLister, pod)),
            (before, after) => AddAll(ServiceMembership.OfChange(_serviceLister, before, after)),
            pod => AddAll(ServiceMembership.Of(_serviceLister, pod)));
        Handle<V1Endpoints>(endpoints, onDelete: Enqueue);
    }

    /// <summary>Before the workers start, every existing Endpoints is checked once: one whose Service is gone was missed while stopped.</summary>
    public override Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var endpoints in _endpointsLister.List())
        {
            if (endpoints.Metadata.Annotations?.ContainsKey(LeaderAnnotation) != true)
            {
                Enqueue(endpoints);
            }
        }

        return base.RunAsync(cancellationToken);
    }

    internal static bool IsNamespaceTerminating(Exception exception) =>
        ApiErrors.StatusOf(exception) == System.Net.HttpStatusCode.Forbidden &&
        exception is k8s.Autorest.HttpOperationException { Response.Content: { } body } && body.Contains("NamespaceTerminating", StringComparison.Ordinal);

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
            // The Service is gone, so are its endpoints.
            await _endpoints.DeleteAsync(ns, name, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        var decision = EndpointsLogic.Decide(service, _podLister.List(ns!, null), _endpointsLister.Get(ns, name));
        if (decision.ToCreate is { } created)
        {
            try
            {
                await _endpoints.CreateAsync(created, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsNamespaceTerminating(ex))
            {
                // The namespace is going away; nothing more to do.
            }
        }
        else if (decision.ToUpdate is { } updated)
        {
            // A stale cache makes this a 409; the queue retries after the informer caught up.
            await _endpoints.ReplaceAsync(updated, cancellationToken).ConfigureAwait(false);
        }
    }
}
