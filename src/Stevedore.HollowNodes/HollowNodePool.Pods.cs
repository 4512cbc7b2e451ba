using k8s.Models;
using Stevedore.Client.Cache;
using Stevedore.Client.WorkQueues;

namespace Stevedore.HollowNodes;

/// <summary>The hollow kubelet's pod work: status through the status subresource, confirmed deletion.</summary>
public sealed partial class HollowNodePool
{
    /// <summary>Reconciles one pod on one of our nodes from the informer cache.</summary>
    private async Task SyncPodAsync(string key, RateLimitingQueue<string> queue, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        var pod = _podLister?.Get(ns, name);
        if (pod?.Spec?.NodeName is not { } nodeName || !_nodes.TryGetValue(nodeName, out var node))
        {
            return;
        }

        var uid = pod.Metadata.Uid ?? key;
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            // The kubelet's last word: the containers are gone, so the API server may drop the pod now.
            Release(nodeName, uid);
            await _podClient.DeleteAsync(ns, name, new V1DeleteOptions
            {
                GracePeriodSeconds = 0,
                Preconditions = pod.Metadata.Uid is { } u ? new V1Preconditions { Uid = u } : null,
            }, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (pod.Status?.Phase is "Succeeded" or "Failed")
        {
            Release(nodeName, uid);
            return;
        }

        var allocator = AllocatorFor(node, out var waitForCidr);
        if (allocator is null)
        {
            queue.AddAfter(key, waitForCidr);
            return;
        }

        string podIp;
        if (pod.Status?.PodIP is { Length: > 0 } existing)
        {
            allocator.Reserve(uid, existing);
            podIp = existing;
        }
        else
        {
            podIp = allocator.Allocate(uid) ?? throw new InvalidOperationException($"no free pod IP in {allocator.Cidr} on node {nodeName}");
        }

        var context = new PodContext(NodeAddressing.InternalIp(node.Index), podIp, UtcNow(), _options.CrashLoopInitialBackoff, _options.CrashLoopMaxBackoff);
        var plan = PodLifecycle.Plan(pod, context);
        if (plan.NewStatus is { } status)
        {
            var update = new V1Pod { ApiVersion = "v1", Kind = "Pod", Metadata = pod.Metadata, Spec = pod.Spec, Status = status };
            await _podClient.ReplaceStatusAsync(update, cancellationToken).ConfigureAwait(false);
            LogPodStatus(_logger, ns ?? "", name, nodeName, status.Phase ?? "");
            if (status.Phase is "Succeeded" or "Failed")
            {
                Release(nodeName, uid);
            }

            if (_options.RecordEvents)
            {
                foreach (var e in plan.Events)
                {
                    _events.Event(pod, e.Type, e.Reason, e.Message);
                }
            }
        }

        // A zero delay needs no timer: our own status write comes back as an update and re-queues the pod.
        if (plan.RecheckAfter is { } after && after > TimeSpan.Zero)
        {
            queue.AddAfter(key, after);
        }
    }

    /// <summary>The node's allocator, or null (with how long to wait) while its spec.podCIDR may still be assigned.</summary>
    private PodIpAllocator? AllocatorFor(OwnedNode node, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        if (_allocators.TryGetValue(node.Name, out var allocator))
        {
            return allocator;
        }

        var cidr = _nodeLister?.Get(node.Name)?.Spec?.PodCIDR;
        if (string.IsNullOrEmpty(cidr))
        {
            var waited = _time.GetUtcNow() - node.RegisteredAt;
            if (waited < _options.PodCidrWait)
            {
                wait = _options.PodCidrWait - waited;
                return null;
            }

            cidr = NodeAddressing.FallbackPodCidr(node.Index);
        }

        // Sticky: once pods got addresses from a range, later ones come from the same range.
        return _allocators.GetOrAdd(node.Name, _ => new PodIpAllocator(cidr));
    }

    private void Release(string nodeName, string uid)
    {
        if (_allocators.TryGetValue(nodeName, out var allocator))
        {
            allocator.Release(uid);
        }
    }

    /// <summary>After a restart, pods already running keep their addresses: mark them taken before any new pod gets one.</summary>
    private void ReserveExistingPodIps()
    {
        foreach (var pod in _podLister?.List() ?? [])
        {
            if (pod.Spec?.NodeName is not { } nodeName
                || !_nodes.TryGetValue(nodeName, out var node)
                || pod.Status?.PodIP is not { Length: > 0 } ip
                || pod.Status.Phase is "Succeeded" or "Failed"
                || pod.Metadata.Uid is not { } uid)
            {
                continue;
            }

            var cidr = _nodeLister?.Get(nodeName)?.Spec?.PodCIDR;
            if (string.IsNullOrEmpty(cidr) || !PodIpAllocator.Contains(cidr, ip))
            {
                cidr = NodeAddressing.FallbackPodCidr(node.Index);
            }

            _allocators.GetOrAdd(nodeName, _ => new PodIpAllocator(cidr)).Reserve(uid, ip);
        }
    }
}
