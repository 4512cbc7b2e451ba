using k8s.Models;
using Stevedore.Client.Resources;

namespace Stevedore.HollowNodes;

/// <summary>The Lease heartbeat: every node's Lease in kube-node-lease renewed in one batch per period.</summary>
public sealed partial class HollowNodePool
{
    private async Task LeaseLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.LeaseRenewInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await RenewLeasesAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private Task RenewLeasesAsync(CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            _nodes.Values,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MaxConcurrentRequests), CancellationToken = cancellationToken },
            async (node, ct) =>
            {
                try
                {
                    await RenewLeaseAsync(node, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsNormalFailure(ex))
                {
                    // The next period retries; a node whose lease lapses is what the node lifecycle controller is for.
                    _leases.TryRemove(node.Name, out _);
                    LogLeaseFailed(_logger, node.Name, ex);
                }
            });

    private async Task RenewLeaseAsync(OwnedNode node, CancellationToken cancellationToken)
    {
        var now = UtcNow();
        if (_leases.TryGetValue(node.Name, out var known))
        {
            try
            {
                var renewed = new V1Lease
                {
                    ApiVersion = "coordination.k8s.io/v1",
                    Kind = "Lease",
                    Metadata = known.Metadata,
                    Spec = LeaseSpec(node, known.Spec?.AcquireTime ?? now, now),
                };
                _leases[node.Name] = await _leaseClient.ReplaceAsync(renewed, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ApiErrors.IsConflict(ex) || ApiErrors.IsNotFound(ex))
            {
                _leases.TryRemove(node.Name, out _);
            }
        }

        var current = await _leaseClient.GetAsync(LeaseNamespace, node.Name, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            var lease = new V1Lease
            {
                ApiVersion = "coordination.k8s.io/v1",
                Kind = "Lease",
                Metadata = new V1ObjectMeta
                {
                    Name = node.Name,
                    NamespaceProperty = LeaseNamespace,
                    // Upstream kubelets make their Node the owner, so the Lease goes when the Node does.
                    OwnerReferences = node.Uid is { } uid ? [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = node.Name, Uid = uid }] : null,
                },
                Spec = LeaseSpec(node, now, now),
            };
            _leases[node.Name] = await _leaseClient.CreateAsync(lease, cancellationToken).ConfigureAwait(false);
            return;
        }

        current.Spec = LeaseSpec(node, current.Spec?.AcquireTime ?? now, now);
        _leases[node.Name] = await _leaseClient.ReplaceAsync(current, cancellationToken).ConfigureAwait(false);
    }

    private V1LeaseSpec LeaseSpec(OwnedNode node, DateTime acquired, DateTime now) => new()
    {
        HolderIdentity = node.Name,
        LeaseDurationSeconds = _options.LeaseDurationSeconds,
        AcquireTime = acquired,
        RenewTime = now,
    };
}
