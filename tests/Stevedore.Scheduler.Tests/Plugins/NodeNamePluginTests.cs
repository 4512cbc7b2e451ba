using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Plugins.NodeName;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests.Plugins;

public class NodeNamePluginTests
{
    [Theory]
    [InlineData("", "n1", true)]
    [InlineData("n1", "n1", true)]
    [InlineData("n2", "n1", false)]
    public void Filter_RequestedNodeName_OnlyThatNodeFits(string requested, string node, bool fits)
    {
        var pod = Make.Pod("p").Build();
        pod.Spec.NodeName = requested;
        var snapshot = Make.Snapshot([Make.Node(node)]);

        var status = Make.RunFilter(new NodeNamePlugin(), pod, snapshot, node);

        Assert.Equal(fits, status.IsSuccess);
        if (!fits)
        {
            Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
            Assert.Equal("node(s) didn't match the requested node name", status.Message);
        }
    }
}
