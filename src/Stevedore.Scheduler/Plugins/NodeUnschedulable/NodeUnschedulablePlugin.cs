using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Util;

namespace Stevedore.Scheduler.Plugins.NodeUnschedulable;

/// <summary>
/// Keeps pods off cordoned nodes (<c>spec.unschedulable</c>) unless they tolerate the
/// <c>node.kubernetes.io/unschedulable:NoSchedule</c> taint (DaemonSet pods do).
/// </summary>
public sealed class NodeUnschedulablePlugin : IFilterPlugin, IEnqueueExtensions
{
    public const string PluginName = "NodeUnschedulable";

    public const string ErrReasonUnschedulable = "node(s) were unschedulable";

    public const string TaintNodeUnschedulable = "node.kubernetes.io/unschedulable";

    private static readonly V1Taint UnschedulableTaint = new() { Key = TaintNodeUnschedulable, Effect = Tolerations.NoSchedule };

    public string Name => PluginName;

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (!nodeInfo.Unschedulable)
        {
            return Status.Success;
        }

        return Tolerations.AnyTolerates(pod.Spec?.Tolerations, UnschedulableTaint)
            ? Status.Success
            : Status.Unresolvable(ErrReasonUnschedulable);
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() =>
        [new(EventResource.Node, ActionType.Add | ActionType.UpdateNodeTaint, "NodeUnschedulable")];
}
