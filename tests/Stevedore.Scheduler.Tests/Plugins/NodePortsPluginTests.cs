using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Plugins.NodePorts;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests.Plugins;

public class NodePortsPluginTests
{
    [Theory]
    [InlineData(8080, "TCP", null, 8080, "TCP", null, false)]
    [InlineData(8080, "TCP", null, 8081, "TCP", null, true)]
    [InlineData(8080, "TCP", null, 8080, "UDP", null, true)]
    [InlineData(8080, "TCP", "10.0.0.1", 8080, "TCP", "10.0.0.2", true)]
    [InlineData(8080, "TCP", "10.0.0.1", 8080, "TCP", "10.0.0.1", false)]
    [InlineData(8080, "TCP", "0.0.0.0", 8080, "TCP", "10.0.0.2", false)]
    [InlineData(8080, "TCP", "10.0.0.1", 8080, "TCP", null, false)]
    [InlineData(8080, "", null, 8080, "TCP", null, false)]
    public void Filter_HostPortInUse_Conflicts(int usedPort, string usedProto, string? usedIp, int wantPort, string wantProto, string? wantIp, bool fits)
    {
        var existing = Make.Pod("old").Node("n1").HostPort(usedPort, usedProto, usedIp);
        var pod = Make.Pod("new").HostPort(wantPort, wantProto, wantIp);

        var status = Make.RunFilter(new NodePortsPlugin(), pod, Make.Snapshot([Make.Node("n1")], existing), "n1");

        Assert.Equal(fits, status.IsSuccess);
        if (!fits)
        {
            Assert.Equal(StatusCode.Unschedulable, status.Code);
            Assert.Equal("node(s) didn't have free ports for the requested pod ports", status.Message);
        }
    }

    [Fact]
    public void PreFilter_PodWithoutHostPorts_Skips()
    {
        var status = new NodePortsPlugin().PreFilter(new CycleState(), Make.Pod("p"), Make.Snapshot([Make.Node("n1")]));

        Assert.True(status.IsSkip);
    }
}
