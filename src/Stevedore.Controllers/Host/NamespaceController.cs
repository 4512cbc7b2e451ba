using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Informers;
using Stevedore.Client.Cache;
using Stevedore.Client.Resources;
using Stevedore.Controllers.Common;
using Stevedore.Controllers.Namespace;

namespace Stevedore.Controllers.Host;

/// <summary>
/// Wires <see cref="NamespaceLogic"/>: empties a terminating namespace (every namespaced built-in
/// kind, workload controllers first), then removes the <c>kubernetes</c> finalizer. Keys are namespace names.
/// </summary>
public sealed class NamespaceController : QueueController
{
    /// <summary>The namespaced built-in kinds the API server serves (resources it does not serve are skipped).</summary>
    public static readonly IReadOnlyList<ResourceType> NamespacedKinds =
    [
        new("apps", "v1", "deployments", "Deployment"),
        new("apps", "v1", "statefulsets", "StatefulSet"),
        new("apps", "v1", "daemonsets", "DaemonSet"),
        new("batch", "v1", "cronjobs", "CronJob"),
        new("batch", "v1", "jobs", "Job"),
        new("apps", "v1", "replicasets", "ReplicaSet"),
        new("", "v1", "replicationcontrollers", "ReplicationController"),
        new("", "v1", "pods", "Pod"),
        new("", "v1", "services", "Service"),
        new("", "v1", "endpoints", "Endpoints"),
        new("", "v1", "configmaps", "ConfigMap"),
        new("", "v1", "secrets", "Secret"),
        new("", "v1", "serviceaccounts", "ServiceAccount"),
        new("", "v1", "events", "Event"),
        new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim"),
        new("", "v1", "resourcequotas", "ResourceQuota"),
        new("", "v1", "limitranges", "LimitRange"),
        new("", "v1", "podtemplates", "PodTemplate"),
        new("apps", "v1", "controllerrevisions", "ControllerRevision"),
        new("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler"),
        new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget"),
        new("rbac.authorization.k8s.io", "v1", "roles", "Role"),
        new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding"),
        new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy"),
        new("networking.k8s.io", "v1", "ingresses", "Ingress"),
        new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice"),
        new("coordination.k8s.io", "v1", "leases", "Lease"),
    ];

    private readonly IKubernetes _client;
    private readonly ResourceClient<V1Namespace> _namespaces;
    private Lister<V1Namespace> _namespaceLister = null!;

    public NamespaceController(IKubernetes client, ILogger logger, TimeProvider time, int workers = 2)
        : base(logger, time, workers)
    {
        _client = client;
        _namespaces = new ResourceClient<V1Namespace>(client);
    }

    public override string Name => "namespace";

    public override void Register(SharedInformerFactory informers)
    {
        var namespaces = informers.GetInformer<V1Namespace>();
        _namespaceLister = namespaces.Lister;
        Handle(namespaces, EnqueueIfDeleting, (_, n) => EnqueueIfDeleting(n));
    }

    private void EnqueueIfDeleting(V1Namespace ns)
    {
        if (NamespaceLogic.NeedsDeletion(ns))
        {
            Enqueue(ns);
        }
    }

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        if (_namespaceLister.Get(key) is not { } cached || !NamespaceLogic.NeedsDeletion(cached))
        {
            return;
        }

        var ns = ObjectCopy.Deep(cached);
        var byResource = NamespacedKinds.ToDictionary(t => new NamespacedResource(t.Group, t.Version, t.Plural), t => t);
        var content = new List<ResourceContent>();
        foreach (var resource in NamespaceLogic.DeletionOrder(byResource.Keys))
        {
            if (await EmptyAsync(key, resource, byResource[resource], cancellationToken).ConfigureAwait(false) is { } result)
            {
                content.Add(result);
            }
        }

        var outcome = NamespaceLogic.Evaluate(ns, content, null, Now);
        try
        {
            if (outcome.StatusChanged)
            {
                ns.Status = outcome.Status;
                ns = await _namespaces.ReplaceStatusAsync(ns, cancellationToken).ConfigureAwait(false);
            }

            if (outcome.Finalize)
            {
                ns.Spec = outcome.FinalizedSpec;
                await _client.CoreV1.ReplaceNamespaceFinalizeAsync(ns, key, cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            // A stale cache entry: an earlier sync already finalized it.
            return;
        }

        if (outcome.Failed)
        {
            throw new InvalidOperationException($"deleting the content of namespace {key} failed");
        }

        Queue.AddAfter(key, outcome.RequeueAfter ?? TimeSpan.FromSeconds(1));
    }

    // Null when the API server does not serve the resource.
    private async Task<ResourceContent?> EmptyAsync(string ns, NamespacedResource resource, ResourceType type, CancellationToken cancellationToken)
    {
        var client = new ResourceClient<Unstructured>(_client, type);
        ResourceList<Unstructured> items;
        try
        {
            items = await client.ListAsync(ns, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
            return null;
        }

        string? deleteError = null;
        foreach (var item in items.Items.Where(i => i.Metadata.DeletionTimestamp is null))
        {
            try
            {
                await client.DeleteAsync(ns, item.Metadata.Name, new V1DeleteOptions { PropagationPolicy = "Background" }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !ApiErrors.IsNotFound(ex))
            {
                deleteError ??= ex.Message;
            }
        }

        var remaining = (await client.ListAsync(ns, null, cancellationToken).ConfigureAwait(false)).Items;
        var finalizers = remaining.SelectMany(i => i.Metadata.Finalizers ?? []).GroupBy(f => f, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var estimate = remaining.Select(i => i.Metadata.DeletionGracePeriodSeconds ?? 0).DefaultIfEmpty(0).Max();
        return new ResourceContent(resource, deleteError, remaining.Count, finalizers, estimate);
    }
}
