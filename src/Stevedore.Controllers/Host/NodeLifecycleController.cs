using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Informers;
using Stevedore.Client.Cache;
using Stevedore.Client.Resources;
using Stevedore.Controllers.NodeLifecycle;

namespace Stevedore.Controllers.Host;

/// <summary>
/// Wires <see cref="NodeHealthTracker"/>, <see cref="NodePodsLogic"/> and <see cref="TaintEviction"/>:
/// silent nodes turn Unknown and get the unreachable / not-ready taints, their pods turn not
/// ready, and pods that do not tolerate a NoExecute taint are evicted when their time comes.
/// Keys are node names; each node is looked at again when it would go stale.
/// </summary>
public sealed class NodeLifecycleController : QueueController
{
    private const string LeaseNamespace = "kube-node-lease";

    private readonly ResourceClient<V1Node> _nodes;
    private readonly ResourceClient<V1Pod> _pods;
    private readonly NodeHealthTracker _tracker;
    private Lister<V1Node> _nodeLister = null!;
    private Lister<V1Lease> _leaseLister = null!;
    private Lister<V1Pod> _podLister = null!;

    public NodeLifecycleController(IKubernetes client, ILogger logger, TimeProvider time, NodeHealthTracker? tracker = null, int workers = 2)
        : base(logger, time, workers)
    {
        _nodes = new ResourceClient<V1Node>(client);
        _pods = new ResourceClient<V1Pod>(client);
        _tracker = tracker ?? new NodeHealthTracker();
    }

    public override string Name => "nodelifecycle";

    public override void Register(SharedInformerFactory informers)
    {
        var nodes = informers.GetInformer<V1Node>();
        var leases = informers.GetInformer<V1Lease>();
        var pods = informers.GetInformer<V1Pod>();
        _nodeLister = nodes.Lister;
        _leaseLister = leases.Lister;
        _podLister = pods.Lister;
        pods.Indexer.TryAddIndexer(Indexes.PodNodeName, Indexes.ByPodNodeName);
        Handle(nodes, Enqueue, (_, n) => Enqueue(n), n => _tracker.Forget(n.Metadata.Name));
        Handle(leases, OnLease, (_, l) => OnLease(l));
        Handle(pods, OnPod, (_, p) => OnPod(p));
    }

    private void OnLease(V1Lease lease)
    {
        if (lease.Metadata.NamespaceProperty == LeaseNamespace)
        {
            Queue.Add(lease.Metadata.Name);
        }
    }

    // A pod landing on a tainted node may need an eviction timer.
    private void OnPod(V1Pod pod)
    {
        if (!string.IsNullOrEmpty(pod.Spec?.NodeName) && _nodeLister.Get(pod.Spec.NodeName) is { Spec.Taints.Count: > 0 })
        {
            Queue.Add(pod.Spec.NodeName);
        }
    }

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        if (_nodeLister.Get(key) is not { } node)
        {
            _tracker.Forget(key);
            return;
        }

        var now = Now;
        var decision = _tracker.Observe(node, _leaseLister.Get(LeaseNamespace, key), now);
        var resourceVersion = node.Metadata.ResourceVersion;
        if (decision.TaintsChanged)
        {
            var taints = new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion }, ["spec"] = new JsonObject { ["taints"] = JsonNode.Parse(KubernetesJson.Serialize(decision.Taints)) } };
            resourceVersion = (await _nodes.PatchAsync(null, key, new V1Patch(taints.ToJsonString(), V1Patch.PatchType.MergePatch), cancellationToken).ConfigureAwait(false)).Metadata.ResourceVersion;
        }

        if (decision.ConditionsChanged)
        {
            var conditions = new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion }, ["status"] = new JsonObject { ["conditions"] = JsonNode.Parse(KubernetesJson.Serialize(decision.Conditions)) } };
            await _nodes.PatchStatusAsync(null, key, new V1Patch(conditions.ToJsonString(), V1Patch.PatchType.MergePatch), cancellationToken).ConfigureAwait(false);
        }

        // Every lease renewal brings a node here; a healthy node without NoExecute taints has nothing to do to its pods.
        var podsOnNode = decision.Ready != "True" || decision.Taints.Any(t => t.Effect == "NoExecute")
            ? _podLister.Indexer.ByIndex(Indexes.PodNodeName, key).Where(p => p.Metadata.DeletionTimestamp is null).ToList()
            : [];
        if (decision.Ready != "True")
        {
            foreach (var (pod, status) in NodePodsLogic.MarkNotReady(decision.Ready, podsOnNode, now))
            {
                var patch = new JsonObject { ["status"] = new JsonObject { ["conditions"] = JsonNode.Parse(KubernetesJson.Serialize(status.Conditions)) } };
                await IgnoreMissingAsync(_pods.PatchStatusAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), cancellationToken)).ConfigureAwait(false);
            }
        }

        var next = decision.NextCheck;
        foreach (var pod in podsOnNode)
        {
            if (TaintEviction.EvictionTime(pod, decision.Taints, now) is not { } evictAt)
            {
                continue;
            }

            if (evictAt <= now)
            {
                await IgnoreMissingAsync(_pods.DeleteAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken)).ConfigureAwait(false);
            }
            else if (evictAt < next)
            {
                next = evictAt;
            }
        }

        Queue.AddAfter(key, next > now ? next - now : TimeSpan.FromSeconds(1));
    }

    private static async Task IgnoreMissingAsync(Task write)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
        }
    }
}
