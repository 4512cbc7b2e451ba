using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Plugins.DefaultPreemption;
using Stevedore.Scheduler.Plugins.ImageLocality;
using Stevedore.Scheduler.Plugins.InterPodAffinity;
using Stevedore.Scheduler.Plugins.NodeAffinity;
using Stevedore.Scheduler.Plugins.NodeName;
using Stevedore.Scheduler.Plugins.NodePorts;
using Stevedore.Scheduler.Plugins.NodeResources;
using Stevedore.Scheduler.Plugins.NodeUnschedulable;
using Stevedore.Scheduler.Plugins.PodTopologySpread;
using Stevedore.Scheduler.Plugins.TaintToleration;

namespace Stevedore.Scheduler.Plugins;

/// <summary>
/// The one list of built-in plugins, in upstream's default order (filters run in this order and
/// only the first rejection per node is reported) with upstream's default score weights.
/// Adding a plugin means adding a line here; nothing is discovered by reflection.
/// </summary>
public static class BuiltInPlugins
{
    public static IReadOnlyList<PluginRegistration> All { get; } =
    [
        new(NodeUnschedulablePlugin.PluginName, _ => new NodeUnschedulablePlugin()),
        new(NodeNamePlugin.PluginName, _ => new NodeNamePlugin()),
        new(TaintTolerationPlugin.PluginName, _ => new TaintTolerationPlugin(), Weight: 3),
        new(NodeAffinityPlugin.PluginName, _ => new NodeAffinityPlugin(), Weight: 2),
        new(NodePortsPlugin.PluginName, _ => new NodePortsPlugin()),
        new(NodeResourcesFitPlugin.PluginName, ctx => new NodeResourcesFitPlugin(ctx.Args.NodeResourcesFitStrategy), Weight: 1),
        new(PodTopologySpreadPlugin.PluginName, _ => new PodTopologySpreadPlugin(), Weight: 2),
        new(InterPodAffinityPlugin.PluginName, ctx => new InterPodAffinityPlugin(ctx.Args.HardPodAffinityWeight), Weight: 2),
        new(DefaultPreemptionPlugin.PluginName, ctx => new DefaultPreemptionPlugin(ctx.Handle, ctx.Args)),
        new(BalancedAllocationPlugin.PluginName, _ => new BalancedAllocationPlugin(), Weight: 1),
        new(ImageLocalityPlugin.PluginName, _ => new ImageLocalityPlugin(), Weight: 1),
    ];
}
