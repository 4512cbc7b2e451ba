using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Cache;
using Stevedore.Client.Informers;
using Stevedore.Client.Resources;
using Stevedore.Controllers.RootCaPublisher;

namespace Stevedore.Controllers.Host;

/// <summary>Wires <see cref="RootCaPublisherLogic"/>: a <c>kube-root-ca.crt</c> ConfigMap in every active namespace. Keys are namespace names.</summary>
public sealed class RootCaPublisherController : QueueController
{
    private readonly ResourceClient<V1ConfigMap> _configMaps;
    private readonly string _caPem;
    private Lister<V1Namespace> _namespaces = null!;
    private Lister<V1ConfigMap> _configMapLister = null!;

    public RootCaPublisherController(IKubernetes client, string caPem, ILogger logger, TimeProvider time, int workers = 2)
        : base(logger, time, workers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caPem);
        _configMaps = new ResourceClient<V1ConfigMap>(client);
        _caPem = caPem;
    }

    public override string Name => "root-ca-cert-publisher";

    public override void Register(SharedInformerFactory informers)
    {
        var namespaces = informers.GetInformer<V1Namespace>();
        var configMaps = informers.GetInformer<V1ConfigMap>();
        _namespaces = namespaces.Lister;
        _configMapLister = configMaps.Lister;
        Handle(namespaces, Enqueue, (_, n) =>
        {
            if (n.Status?.Phase is null or "Active")
            {
                Enqueue(n);
            }
        });
        Handle<V1ConfigMap>(configMaps, onUpdate: (_, cm) => EnqueueNamespaceOf(cm), onDelete: EnqueueNamespaceOf);
    }

    private void EnqueueNamespaceOf(V1ConfigMap configMap)
    {
        if (configMap.Metadata.Name == RootCaPublisherLogic.ConfigMapName)
        {
            Queue.Add(configMap.Metadata.NamespaceProperty);
        }
    }

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        if (_namespaces.Get(key) is not { } ns)
        {
            return;
        }

        var existing = _configMapLister.Get(key, RootCaPublisherLogic.ConfigMapName);
        switch (RootCaPublisherLogic.Decide(ns, existing, _caPem))
        {
            case RootCaAction.Create:
                try
                {
                    await _configMaps.CreateAsync(RootCaPublisherLogic.Desired(key, _caPem), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ApiErrors.IsAlreadyExists(ex) || ApiErrors.IsNotFound(ex) || IsNamespaceTerminating(ex))
                {
                    // Someone was faster, or the namespace is going away: nothing to retry.
                }

                break;
            case RootCaAction.Update:
                await _configMaps.ReplaceAsync(RootCaPublisherLogic.Corrected(existing!, _caPem), cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private static bool IsNamespaceTerminating(Exception ex) =>
        ex is HttpOperationException { Response.Content: { } body } && body.Contains("NamespaceTerminating", StringComparison.Ordinal);
}
