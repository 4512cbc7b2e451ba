using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Plugins.NodeUnschedulable;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests.Plugins;

public class NodeUnschedulablePluginTests
{
    [Theory]
    [InlineData(false, "", "", "", true)]
    [InlineData(true, "", "", "", false)]
    [InlineData(true, "node.kubernetes.io/unschedulable", "Exists", "NoSchedule", true)]
    [InlineData(true, "node.kubernetes.io/unschedulable", "Exists", "", true)]
    [InlineData(true, "", "Exists", "", true)]
    [InlineData(true, "node.kubernetes.io/unschedulable", "Exists", "NoExecute", false)]
    [InlineData(true, "other", "Exists", "NoSchedule", false)]
    public void Filter_CordonedNode_RejectedUnlessTolerated(bool unschedulable, string key, string op, string effect, bool fits)
    {
        var node = Make.Node("n1");
        if (unschedulable)
        {
            node.Unschedulable();
        }

        var pod = Make.Pod("p");
        if (op.Length > 0)
        {
            pod.Toleration(key, op, "", effect);
        }

        var status = Make.RunFilter(new NodeUnschedulablePlugin(), pod, Make.Snapshot([node]), "n1");

        Assert.Equal(fits, status.IsSuccess);
        if (!fits)
        {
            Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
            Assert.Equal("node(s) were unschedulable", status.Message);
        }
    }

    [Fact]
    public void Filter_NodeCordonedThenUncordoned_FollowsTheLatestNodeObject()
    {
        var info = new NodeInfo(Make.Node("n1").Build());
        var plugin = new NodeUnschedulablePlugin();
        var pod = Make.Pod("p").Build();

        info.SetNode(Make.Node("n1").Unschedulable().Build());
        var cordoned = plugin.Filter(new CycleState(), pod, info);
        info.SetNode(Make.Node("n1").Build());
        var uncordoned = plugin.Filter(new CycleState(), pod, info);

        Assert.False(cordoned.IsSuccess);
        Assert.True(uncordoned.IsSuccess);
    }
}
