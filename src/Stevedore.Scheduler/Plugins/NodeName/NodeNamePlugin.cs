using k8s.Models;
using Stevedore.Scheduler.Framework;

namespace Stevedore.Scheduler.Plugins.NodeName;

/// <summary>A pod that names a node (<c>spec.nodeName</c>) only fits that node.</summary>
public sealed class NodeNamePlugin : IFilterPlugin, IEnqueueExtensions
{
    public const string PluginName = "NodeName";

    public const string ErrReason = "node(s) didn't match the requested node name";

    public string Name => PluginName;

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        var wanted = pod.Spec?.NodeName;
        return string.IsNullOrEmpty(wanted) || wanted == nodeInfo.Name ? Status.Success : Status.Unresolvable(ErrReason);
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() => [new(EventResource.Node, ActionType.Add, "NodeAdd")];
}
