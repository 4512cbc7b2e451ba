using k8s;
using k8s.Models;

namespace Stevedore.Controllers.NodeLifecycle;

/// <summary>
/// Heartbeat bookkeeping of the node lifecycle controller (upstream tryUpdateNodeHealth). A heartbeat
/// is a change of the Lease's renewTime in kube-node-lease or of the Ready condition's
/// lastHeartbeatTime; like upstream, staleness is measured on this controller's clock from when the
/// change was observed, so clock skew between node and server does not matter. After the grace
/// period without a heartbeat the kubelet-owned conditions become Unknown. Thread-safe.
/// </summary>
public sealed class NodeHealthTracker
{
    /// <summary>Upstream's classic node-monitor-grace-period.</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(40);

    /// <summary>Grace for a node that never posted status (upstream node-startup-grace-period).</summary>
    public static readonly TimeSpan DefaultStartupGracePeriod = TimeSpan.FromSeconds(60);

    private static readonly string[] KubeletConditions = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

    private readonly Dictionary<string, Seen> _seen = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeSpan _grace;
    private readonly TimeSpan _startupGrace;

    /// <summary>Creates a tracker with the given grace periods (defaults: 40 s and 60 s).</summary>
    public NodeHealthTracker(TimeSpan? gracePeriod = null, TimeSpan? startupGracePeriod = null)
    {
        _grace = gracePeriod ?? DefaultGracePeriod;
        _startupGrace = startupGracePeriod ?? DefaultStartupGracePeriod;
    }

    /// <summary>Judges <paramref name="node"/> (with its Lease, if any) at <paramref name="now"/>.</summary>
    public NodeHealthDecision Observe(V1Node node, V1Lease? lease, DateTime now)
    {
        var conditions = (node.Status?.Conditions ?? []).Select(c => KubernetesJson.Deserialize<V1NodeCondition>(KubernetesJson.Serialize(c))).ToList();
        var ready = conditions.FirstOrDefault(c => c.Type == "Ready");
        var grace = ready is null ? _startupGrace : _grace;
        DateTime probe;
        lock (_gate)
        {
            var renew = lease?.Spec?.RenewTime;
            var heartbeat = ready?.LastHeartbeatTime;
            if (!_seen.TryGetValue(node.Metadata.Name, out var seen))
            {
                // First sight: give the node a full grace period from now (or from creation if it never reported).
                seen = new Seen(ready is null ? node.Metadata.CreationTimestamp ?? now : now, renew, heartbeat, ready?.Status);
            }
            else if (renew != seen.LeaseRenew || heartbeat != seen.ReadyHeartbeat || ready?.Status != seen.ReadyStatus)
            {
                seen = new Seen(now, renew, heartbeat, ready?.Status);
            }

            _seen[node.Metadata.Name] = seen;
            probe = seen.ProbeTime;
        }

        var changed = false;
        if (now > probe + grace)
        {
            foreach (var type in KubeletConditions)
            {
                var index = conditions.FindIndex(c => c.Type == type);
                if (index < 0)
                {
                    conditions.Add(new V1NodeCondition
                    {
                        Type = type,
                        Status = "Unknown",
                        Reason = "NodeStatusNeverUpdated",
                        Message = "Kubelet never posted node status.",
                        LastHeartbeatTime = node.Metadata.CreationTimestamp,
                        LastTransitionTime = now,
                    });
                    changed = true;
                }
                else if (conditions[index].Status != "Unknown")
                {
                    conditions[index].Status = "Unknown";
                    conditions[index].Reason = "NodeStatusUnknown";
                    conditions[index].Message = "Kubelet stopped posting node status.";
                    conditions[index].LastTransitionTime = now;
                    changed = true;
                }
            }
        }

        var readyStatus = conditions.FirstOrDefault(c => c.Type == "Ready")?.Status ?? "Unknown";
        var taints = NodeTaintLogic.DesiredTaints(node, conditions, now);
        var taintsChanged = !NodeTaintLogic.SameTaints(node.Spec?.Taints, taints);
        return new NodeHealthDecision(conditions, changed, taints, taintsChanged, readyStatus, probe + grace);
    }

    /// <summary>Drops the bookkeeping of a deleted node.</summary>
    public void Forget(string nodeName)
    {
        lock (_gate)
        {
            _seen.Remove(nodeName);
        }
    }

    private sealed record Seen(DateTime ProbeTime, DateTime? LeaseRenew, DateTime? ReadyHeartbeat, string? ReadyStatus);
}
