using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Cache;
using Stevedore.Client.Informers;
using Stevedore.Client.Resources;
using Stevedore.Controllers.ServiceLoadBalancer;

namespace Stevedore.Controllers.Host;

/// <summary>
/// Wires <see cref="LoadBalancerLogic"/>: writes the node addresses into the status of every
/// LoadBalancer Service without a loadBalancerClass, and rewrites them when nodes come, go or
/// change readiness.
/// </summary>
public sealed class ServiceLoadBalancerController : QueueController
{
    private readonly ResourceClient<V1Service> _services;
    private Lister<V1Service> _serviceLister = null!;
    private Lister<V1Node> _nodeLister = null!;

    public ServiceLoadBalancerController(IKubernetes client, ILogger logger, TimeProvider time, int workers = 2)
        : base(logger, time, workers) =>
        _services = new ResourceClient<V1Service>(client);

    public override string Name => "service-lb";

    public override void Register(SharedInformerFactory informers)
    {
        var services = informers.GetInformer<V1Service>();
        var nodes = informers.GetInformer<V1Node>();
        _serviceLister = services.Lister;
        _nodeLister = nodes.Lister;
        Handle(services, EnqueueIfHandled, (_, s) => EnqueueIfHandled(s));
        Handle(nodes, _ => EnqueueAll(), (before, after) =>
        {
            if (!Equals(Summary(before), Summary(after)))
            {
                EnqueueAll();
            }
        }, _ => EnqueueAll());
    }

    private static string Summary(V1Node node) =>
        string.Join(',', LoadBalancerLogic.DesiredIngress([node]).Select(i => i.Ip));

    private void EnqueueIfHandled(V1Service service)
    {
        if (LoadBalancerLogic.Handles(service))
        {
            Enqueue(service);
        }
    }

    private void EnqueueAll()
    {
        foreach (var service in _serviceLister.List())
        {
            EnqueueIfHandled(service);
        }
    }

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        if (_serviceLister.Get(ns, name) is not { } service ||
            LoadBalancerLogic.StatusChange(service, _nodeLister.List()) is not { } status)
        {
            return;
        }

        var ingress = new JsonArray([.. (status.Ingress ?? []).Select(i => (JsonNode)new JsonObject { ["ip"] = i.Ip, ["ipMode"] = i.IpMode })]);
        var patch = new JsonObject { ["status"] = new JsonObject { ["loadBalancer"] = new JsonObject { ["ingress"] = ingress } } };
        try
        {
            await _services.PatchStatusAsync(ns, name, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
        }
    }
}
