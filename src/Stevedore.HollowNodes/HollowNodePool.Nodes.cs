using k8s.Models;
using Stevedore.Client.WorkQueues;

namespace Stevedore.HollowNodes;

/// <summary>Node registration and the node status heartbeat.</summary>
public sealed partial class HollowNodePool
{
    private Task RegisterAllAsync(CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            _nodes.Values,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MaxConcurrentRequests), CancellationToken = cancellationToken },
            async (node, ct) => await RegisterAsync(node, ct).ConfigureAwait(false));

    /// <summary>Creates the node, or brings an existing one's labels and status up to date.</summary>
    private async Task RegisterAsync(OwnedNode node, CancellationToken cancellationToken)
    {
        var now = UtcNow();
        var desired = NodeBuilder.Build(_options, node.Index, now);
        V1Node stored;
        try
        {
            stored = await _nodeClient.CreateAsync(desired, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ApiErrorsAlreadyExists(ex))
        {
            var existing = await _nodeClient.GetAsync(null, node.Name, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"node {node.Name} vanished during registration");
            existing.Metadata.Labels ??= new Dictionary<string, string>();
            foreach (var (key, value) in NodeBuilder.Labels(node.Name))
            {
                existing.Metadata.Labels[key] = value;
            }

            stored = await _nodeClient.ReplaceAsync(existing, cancellationToken).ConfigureAwait(false);
        }

        node.Uid = stored.Metadata.Uid;
        node.RegisteredAt = _time.GetUtcNow();
        await WriteNodeStatusAsync(node, stored.Status, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteNodeStatusAsync(OwnedNode node, V1NodeStatus? previous, CancellationToken cancellationToken)
    {
        var status = NodeBuilder.Status(_options, node.Index, UtcNow(), previous);
        // A merge patch needs no resourceVersion: the kubelet is the only writer of its node's status.
        var patch = new V1Patch(new { status }, V1Patch.PatchType.MergePatch);
        await _nodeClient.PatchStatusAsync(null, node.Name, patch, cancellationToken).ConfigureAwait(false);
        node.LastStatusWrite = _time.GetUtcNow();
    }

    /// <summary>Refreshes one node's status heartbeat, or registers it again if it was deleted.</summary>
    private async Task SyncNodeAsync(string name, RateLimitingQueue<string> queue, CancellationToken cancellationToken)
    {
        if (!_nodes.TryGetValue(name, out var node))
        {
            return;
        }

        var cached = _nodeLister?.Get(name);
        if (cached is null)
        {
            await RegisterAsync(node, cancellationToken).ConfigureAwait(false);
            _leases.TryRemove(name, out _);
        }
        else
        {
            var since = _time.GetUtcNow() - node.LastStatusWrite;
            if (since < _options.NodeStatusInterval)
            {
                queue.AddAfter(name, _options.NodeStatusInterval - since);
                return;
            }

            await WriteNodeStatusAsync(node, cached.Status, cancellationToken).ConfigureAwait(false);
        }

        queue.AddAfter(name, _options.NodeStatusInterval);
    }

    private static bool ApiErrorsAlreadyExists(Exception ex) => Stevedore.Client.Resources.ApiErrors.IsAlreadyExists(ex);
}
