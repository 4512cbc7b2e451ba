using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Cache;
using Stevedore.Client.Informers;
using Stevedore.Client.Resources;
using Stevedore.Controllers.ServiceAccount;

namespace Stevedore.Controllers.Host;

/// <summary>Wires <see cref="ServiceAccountLogic"/>: a <c>default</c> ServiceAccount in every active namespace. Keys are namespace names.</summary>
public sealed class ServiceAccountController : QueueController
{
    private readonly ResourceClient<V1ServiceAccount> _serviceAccounts;
    private Lister<V1Namespace> _namespaces = null!;
    private Lister<V1ServiceAccount> _serviceAccountLister = null!;

    public ServiceAccountController(IKubernetes client, ILogger logger, TimeProvider time, int workers = 2)
        : base(logger, time, workers) =>
        _serviceAccounts = new ResourceClient<V1ServiceAccount>(client);

    public override string Name => "serviceaccount";

    public override void Register(SharedInformerFactory informers)
    {
        var namespaces = informers.GetInformer<V1Namespace>();
        var serviceAccounts = informers.GetInformer<V1ServiceAccount>();
        _namespaces = namespaces.Lister;
        _serviceAccountLister = serviceAccounts.Lister;
        Handle(namespaces, Enqueue, (_, n) => Enqueue(n));
        Handle<V1ServiceAccount>(serviceAccounts, onDelete: sa =>
        {
            if (sa.Metadata.Name == ServiceAccountLogic.DefaultName)
            {
                Queue.Add(sa.Metadata.NamespaceProperty);
            }
        });
    }

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        if (_namespaces.Get(key) is not { } ns)
        {
            return;
        }

        foreach (var name in ServiceAccountLogic.NamespacesNeedingDefault([ns], _serviceAccountLister.List(key, null)))
        {
            try
            {
                await _serviceAccounts.CreateAsync(ServiceAccountLogic.NewDefault(name), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ApiErrors.IsAlreadyExists(ex))
            {
            }
        }
    }
}
