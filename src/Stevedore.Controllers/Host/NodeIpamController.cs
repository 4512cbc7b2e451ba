using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Cache;
using Stevedore.Client.Informers;
using Stevedore.Client.Resources;
using Stevedore.Controllers.NodeIpam;

namespace Stevedore.Controllers.Host;

/// <summary>Wires <see cref="NodeIpamLogic"/>: gives every node a pod CIDR. One worker: the allocator is not shared.</summary>
public sealed class NodeIpamController : QueueController
{
    private readonly ResourceClient<V1Node> _nodes;
    private readonly string _clusterCidr;
    private readonly int _nodeMaskSize;
    private readonly Lock _lock = new();
    private Lister<V1Node> _nodeLister = null!;
    private CidrAllocator? _allocator;

    // Blocks patched onto nodes whose change the informer has not shown yet: a sync in that window
    // must patch the same block again, not allocate a second one (which would leak the first and
    // hand the node a different CIDR after its pods got addresses from the first).
    private readonly Dictionary<string, string> _patched = new(StringComparer.Ordinal);

    public NodeIpamController(IKubernetes client, ILogger logger, TimeProvider time, string clusterCidr = CidrAllocator.DefaultClusterCidr, int nodeMaskSize = CidrAllocator.DefaultNodeMaskSize)
        : base(logger, time, workers: 1)
    {
        _nodes = new ResourceClient<V1Node>(client);
        _clusterCidr = clusterCidr;
        _nodeMaskSize = nodeMaskSize;
    }

    public override string Name => "nodeipam";

    public override void Register(SharedInformerFactory informers)
    {
        var nodes = informers.GetInformer<V1Node>();
        _nodeLister = nodes.Lister;
        Handle(nodes, Enqueue, (_, n) => Enqueue(n), node =>
        {
            lock (_lock)
            {
                if (_allocator is not null)
                {
                    NodeIpamLogic.ReleaseNode(_allocator, node);
                    if (node.Metadata?.Name is { } name && _patched.Remove(name, out var pending))
                    {
                        _allocator.Release(pending);
                    }
                }
            }
        });
    }

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        string? cidr;
        lock (_lock)
        {
            // Built on the first sync, when the cache holds every node: existing CIDRs are taken first.
            _allocator ??= NodeIpamLogic.Rebuild(_nodeLister.List(), _clusterCidr, _nodeMaskSize);
            if (_nodeLister.Get(key) is not { } node)
            {
                _patched.Remove(key);
                return;
            }

            if (!string.IsNullOrEmpty(node.Spec?.PodCIDR))
            {
                _patched.Remove(key);
                return;
            }

            if (_patched.TryGetValue(key, out var earlier))
            {
                cidr = earlier;
            }
            else
            {
                var assignment = NodeIpamLogic.AssignMissing(_allocator, [node]);
                if (assignment.Count == 0)
                {
                    return;
                }

                cidr = assignment[0].Cidr ?? throw new InvalidOperationException($"no pod CIDR left in {_clusterCidr} for node {key}");
            }
        }

        var patch = new JsonObject { ["spec"] = new JsonObject { ["podCIDR"] = cidr, ["podCIDRs"] = new JsonArray(cidr) } };
        try
        {
            await _nodes.PatchAsync(null, key, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                _patched[key] = cidr;
            }
        }
        catch (Exception)
        {
            lock (_lock)
            {
                if (!_patched.ContainsKey(key))
                {
                    _allocator.Release(cidr);
                }
            }

            throw;
        }
    }
}
