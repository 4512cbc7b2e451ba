using k8s.Models;
using Stevedore.Scheduler.Framework;

namespace Stevedore.Scheduler.Plugins.NodePorts;

/// <summary>A pod asking for host ports only fits nodes where those (ip, protocol, port) are free.</summary>
public sealed class NodePortsPlugin : IPreFilterPlugin, IFilterPlugin, IEnqueueExtensions
{
    public const string PluginName = "NodePorts";

    public const string ErrReason = "node(s) didn't have free ports for the requested pod ports";

    private const string StateKey = "PreFilter" + PluginName;

    public string Name => PluginName;

    public Status PreFilter(CycleState state, V1Pod pod, ClusterSnapshot snapshot)
    {
        var wanted = new List<(string? Ip, string? Protocol, int Port)>();
        NodeInfo.ForEachHostPort(pod, (ip, protocol, port) => wanted.Add((ip, protocol, port)));
        if (wanted.Count == 0)
        {
            return Status.Skip;
        }

        state.Write(StateKey, wanted);
        return Status.Success;
    }

    public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        if (!state.TryRead<List<(string? Ip, string? Protocol, int Port)>>(StateKey, out var wanted))
        {
            return Status.Error($"{PluginName}: PreFilter state missing");
        }

        foreach (var (ip, protocol, port) in wanted)
        {
            if (nodeInfo.UsedPorts.Conflicts(ip, protocol, port))
            {
                return Status.Unschedulable(ErrReason);
            }
        }

        return Status.Success;
    }

    public IReadOnlyList<ClusterEvent> EventsToRegister() =>
    [
        new(EventResource.Pod, ActionType.Delete, "AssignedPodDelete"),
        new(EventResource.Node, ActionType.Add, "NodeAdd"),
    ];
}
