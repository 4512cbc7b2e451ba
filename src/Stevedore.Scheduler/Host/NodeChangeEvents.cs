using k8s;
using k8s.Models;
using Stevedore.Scheduler.Framework;

namespace Stevedore.Scheduler.Host;

/// <summary>Which cluster events a node update amounts to (upstream's nodeSchedulingPropertiesChange).</summary>
public static class NodeChangeEvents
{
    /// <summary>The events between two versions of one node; empty when nothing scheduling-relevant changed.</summary>
    public static IReadOnlyList<ClusterEvent> Between(V1Node oldNode, V1Node newNode)
    {
        ArgumentNullException.ThrowIfNull(oldNode);
        ArgumentNullException.ThrowIfNull(newNode);
        var events = new List<ClusterEvent>();
        if ((oldNode.Spec?.Unschedulable ?? false) != (newNode.Spec?.Unschedulable ?? false))
        {
            events.Add(ClusterEvent.NodeSpecUnschedulableChange);
        }

        if (!SameJson(oldNode.Status?.Allocatable, newNode.Status?.Allocatable))
        {
            events.Add(ClusterEvent.NodeAllocatableChange);
        }

        if (!SameLabels(oldNode.Metadata?.Labels, newNode.Metadata?.Labels))
        {
            events.Add(ClusterEvent.NodeLabelChange);
        }

        if (!SameJson(oldNode.Spec?.Taints, newNode.Spec?.Taints))
        {
            events.Add(ClusterEvent.NodeTaintChange);
        }

        if (!SameJson(Conditions(oldNode), Conditions(newNode)))
        {
            events.Add(ClusterEvent.NodeConditionChange);
        }

        return events;
    }

    private static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? new Dictionary<string, string>()).All(kv => b is not null && b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    // Heartbeat timestamps change every few seconds; only type and status matter here.
    private static IEnumerable<string> Conditions(V1Node node) =>
        (node.Status?.Conditions ?? []).Select(c => c.Type + "=" + c.Status).Order(StringComparer.Ordinal).ToList();

    private static bool SameJson(object? a, object? b) =>
        (a is null && b is null) || (a is not null && b is not null && KubernetesJson.Serialize(a) == KubernetesJson.Serialize(b));
}
