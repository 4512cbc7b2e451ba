using Stevedore.Controllers.NodeLifecycle;

namespace Stevedore.Controllers.Tests.NodeLifecycle;

public class NodePodsLogicTests
{
    [Theory]
    [InlineData("True", 0)]
    [InlineData("Unknown", 1)]
    [InlineData("False", 1)]
    public void MarkNotReady_NodeReadiness_MarksOnlyReadyPods(string nodeReady, int expected)
    {
        var pods = new[] { Build.Pod("ready"), Build.Pod("unready", ready: false) };

        var marked = NodePodsLogic.MarkNotReady(nodeReady, pods, Build.Now);

        Assert.Equal(expected, marked.Count);
        Assert.All(marked, m => Assert.Equal("False", m.Status.Conditions.Single(c => c.Type == "Ready").Status));
        Assert.True(Stevedore.Controllers.Common.PodState.IsReady(pods[0]));
    }
}
