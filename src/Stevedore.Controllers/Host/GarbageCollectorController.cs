using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Controllers;
using Stevedore.Client.Informers;
using Stevedore.Client.Resources;
using Stevedore.Client.WorkQueues;
using Stevedore.Controllers.GarbageCollector;

namespace Stevedore.Controllers.Host;

/// <summary>
/// Wires <see cref="OwnerGraph"/>: every watched kind feeds the graph; two queues of UIDs
/// (attempt to delete, attempt to orphan) run its decisions against the API.
/// </summary>
public sealed partial class GarbageCollectorController : IController, IDisposable
{
    private readonly IKubernetes _client;
    private readonly ILogger _logger;
    private readonly OwnerGraph _graph = new();
    private readonly RateLimitingQueue<string> _attemptToDelete;
    private readonly RateLimitingQueue<string> _attemptToOrphan;
    private readonly Dictionary<(string ApiVersion, string Kind), (ResourceType Type, bool Namespaced)> _kinds = [];
    private readonly List<IDisposable> _registrations = [];

    public GarbageCollectorController(IKubernetes client, ILogger logger, TimeProvider time)
    {
        _client = client;
        _logger = logger;
        _attemptToDelete = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(time), time);
        _attemptToOrphan = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(time), time);
        foreach (var type in NamespaceController.NamespacedKinds)
        {
            _kinds[(type.ApiVersion, type.Kind)] = (type, true);
        }

        _kinds[("v1", "Node")] = (ResourceType.For<V1Node>(), false);
        _kinds[("v1", "Namespace")] = (ResourceType.For<V1Namespace>(), false);
    }

    public string Name => "garbagecollector";

    public void Register(SharedInformerFactory informers)
    {
        // Typed informers where other controllers already watch the kind, so the watch is shared.
        Watch(informers.GetInformer<V1Pod>(), ResourceType.For<V1Pod>());
        Watch(informers.GetInformer<V1ReplicaSet>(), ResourceType.For<V1ReplicaSet>());
        Watch(informers.GetInformer<V1Deployment>(), ResourceType.For<V1Deployment>());
        Watch(informers.GetInformer<V1ServiceAccount>(), ResourceType.For<V1ServiceAccount>());
        Watch(informers.GetInformer<V1Node>(), ResourceType.For<V1Node>());
        Watch(informers.GetInformer<V1Namespace>(), ResourceType.For<V1Namespace>());
        Watch(informers.GetInformer<V1Service>(), ResourceType.For<V1Service>());
        Watch(informers.GetInformer<V1Endpoints>(), ResourceType.For<V1Endpoints>());
        Watch(informers.GetInformer<V1EndpointSlice>(), ResourceType.For<V1EndpointSlice>());
        string[] typed = ["pods", "replicasets", "deployments", "serviceaccounts", "services", "endpoints", "endpointslices"];
        foreach (var type in NamespaceController.NamespacedKinds.Where(t => !typed.Contains(t.Plural) && t.Plural is not "events" and not "leases"))
        {
            Watch(informers.GetInformer<Unstructured>(type), type);
        }
    }

    private void Watch<T>(SharedInformer<T> informer, ResourceType type)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        _registrations.Add(informer.AddEventHandler(
            obj => Observe(type, obj),
            (_, obj) => Observe(type, obj),
            obj => Enqueue(_graph.ObserveDeleted(obj.Metadata.Uid))));
    }

    private void Observe(ResourceType type, IKubernetesObject<V1ObjectMeta> obj) =>
        Enqueue(_graph.Observe(GraphObject.From(type.ApiVersion, type.Kind, obj.Metadata)));

    private void Enqueue(GraphWork work)
    {
        foreach (var uid in work.AttemptToDelete)
        {
            _attemptToDelete.Add(uid);
        }

        foreach (var uid in work.AttemptToOrphan)
        {
            _attemptToOrphan.Add(uid);
        }
    }

    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(
        WorkerLoop.RunAsync(_attemptToDelete, (uid, ct) => ExecuteAsync(_graph.AttemptToDelete(uid), ct), 4, _logger, cancellationToken),
        WorkerLoop.RunAsync(_attemptToOrphan, (uid, ct) => ExecuteAsync(_graph.AttemptToOrphan(uid), ct), 2, _logger, cancellationToken));

    private async Task ExecuteAsync(IReadOnlyList<GcAction> actions, CancellationToken cancellationToken)
    {
        foreach (var action in actions)
        {
            try
            {
                await ExecuteAsync(action, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ApiErrors.IsNotFound(ex))
            {
                // Already gone: its delete event updates the graph.
            }
        }
    }

    private async Task ExecuteAsync(GcAction action, CancellationToken cancellationToken)
    {
        var target = action.Target;
        switch (action)
        {
            case ProcessDependents dependents:
                foreach (var uid in dependents.Uids)
                {
                    _attemptToDelete.Add(uid);
                }

                return;
            case VerifyOwners verify:
                await VerifyOwnersAsync(verify, cancellationToken).ConfigureAwait(false);
                return;
        }

        if (ClientFor(target) is not { } client)
        {
            LogUnknownKind(target.ApiVersion, target.Kind);
            return;
        }

        switch (action)
        {
            case DeleteObject delete:
                await client.DeleteAsync(target.Namespace, target.Name, new V1DeleteOptions { PropagationPolicy = delete.PropagationPolicy, Preconditions = new V1Preconditions { Uid = target.Uid } }, cancellationToken).ConfigureAwait(false);
                break;
            case RemoveOwnerReferences remove:
                var removals = new JsonArray([.. remove.OwnerUids.Select(uid => (JsonNode)new JsonObject { ["$patch"] = "delete", ["uid"] = uid })]);
                var patch = new JsonObject { ["metadata"] = new JsonObject { ["ownerReferences"] = removals, ["uid"] = target.Uid } };
                await client.PatchAsync(target.Namespace, target.Name, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.StrategicMergePatch), cancellationToken).ConfigureAwait(false);
                break;
            case UnblockOwnerReferences:
                await RewriteMetadataAsync(client, target, meta =>
                {
                    foreach (var reference in meta.OwnerReferences ?? [])
                    {
                        reference.BlockOwnerDeletion = false;
                    }

                    return new JsonObject { ["ownerReferences"] = JsonNode.Parse(KubernetesJson.Serialize(meta.OwnerReferences ?? [])) };
                }, cancellationToken).ConfigureAwait(false);
                break;
            case RemoveFinalizer finalizer:
                await RewriteMetadataAsync(client, target, meta => new JsonObject
                {
                    ["finalizers"] = new JsonArray([.. (meta.Finalizers ?? []).Where(f => f != finalizer.Finalizer).Select(f => (JsonNode)JsonValue.Create(f))]),
                }, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new InvalidOperationException("unknown garbage collector action " + action.GetType().Name);
        }
    }

    // Read, change, write back with the resourceVersion as precondition (a conflict retries the whole item).
    private static async Task RewriteMetadataAsync(ResourceClient<Unstructured> client, ObjectIdentity target, Func<V1ObjectMeta, JsonObject> change, CancellationToken cancellationToken)
    {
        var live = await client.GetAsync(target.Namespace, target.Name, cancellationToken).ConfigureAwait(false);
        if (live is null || live.Metadata.Uid != target.Uid)
        {
            return;
        }

        var metadata = change(live.Metadata);
        metadata["resourceVersion"] = live.Metadata.ResourceVersion;
        var patch = new JsonObject { ["metadata"] = metadata };
        await client.PatchAsync(target.Namespace, target.Name, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), cancellationToken).ConfigureAwait(false);
    }

    private async Task VerifyOwnersAsync(VerifyOwners verify, CancellationToken cancellationToken)
    {
        foreach (var owner in verify.Owners)
        {
            if (!_kinds.TryGetValue((owner.ApiVersion, owner.Kind), out var kind))
            {
                // An owner of a kind we cannot look up is never judged absent.
                LogUnknownKind(owner.ApiVersion, owner.Kind);
                continue;
            }

            var client = new ResourceClient<Unstructured>(_client, kind.Type);
            var live = await client.GetAsync(kind.Namespaced ? verify.Target.Namespace : null, owner.Name, cancellationToken).ConfigureAwait(false);
            if (live is null || live.Metadata.Uid != owner.Uid)
            {
                _graph.ConfirmAbsent(owner.Uid);
            }
        }

        _attemptToDelete.Add(verify.Target.Uid);
    }

    private ResourceClient<Unstructured>? ClientFor(ObjectIdentity target) =>
        _kinds.TryGetValue((target.ApiVersion, target.Kind), out var kind) ? new ResourceClient<Unstructured>(_client, kind.Type) : null;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _attemptToDelete.Dispose();
        _attemptToOrphan.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Garbage collector: no client for {ApiVersion} {Kind}")]
    private partial void LogUnknownKind(string apiVersion, string kind);
}
