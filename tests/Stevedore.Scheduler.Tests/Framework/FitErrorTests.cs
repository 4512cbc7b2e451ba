using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests.Framework;

public class FitErrorTests
{
    [Fact]
    public void Message_FilterReasons_CountedAndSortedAsStrings()
    {
        var d = new Diagnosis();
        d.NodeToStatus["n1"] = Status.Unschedulable("Insufficient cpu");
        d.NodeToStatus["n2"] = Status.Unresolvable("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }");
        d.NodeToStatus["n3"] = Status.Unresolvable("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }");
        d.PostFilterMessage = "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";

        var message = new FitError(Make.Pod("p"), 3, d).Message;

        Assert.Equal(
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
            message);
    }

    [Theory]
    [InlineData(new[] { "b", "a" }, "1 a, 1 b")]
    [InlineData(new[] { "Insufficient memory", "Insufficient memory", "Insufficient memory", "node(s) were unschedulable", "Too many pods" }, "1 Too many pods, 1 node(s) were unschedulable, 3 Insufficient memory")]
    [InlineData(new[] { "z", "a", "a" }, "1 z, 2 a")]
    [InlineData(new[] { "x", "x", "x", "x", "x", "x", "x", "x", "x", "x", "y", "y" }, "10 x, 2 y")]
    public void Histogram_Reasons_SortedByWholeStringLikeGo(string[] reasons, string expected)
    {
        var statuses = reasons.Select(r => Status.Unschedulable(r));

        Assert.Equal(expected, FitError.Histogram(statuses));
    }

    [Fact]
    public void Message_StatusWithSeveralReasons_EachCounted()
    {
        var d = new Diagnosis();
        d.NodeToStatus["n1"] = Status.Unschedulable("Insufficient cpu", "Insufficient memory");
        d.NodeToStatus["n2"] = Status.Unschedulable("Insufficient memory");

        Assert.Equal("0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.", new FitError(Make.Pod("p"), 2, d).Message);
    }

    [Fact]
    public void Message_PreFilterRejection_NotRepeatedPerNode()
    {
        var d = new Diagnosis { PreFilterMessage = "some prefilter reason" };
        d.NodeToStatus["n1"] = Status.Unresolvable("some prefilter reason");
        d.NodeToStatus["n2"] = Status.Unresolvable("some prefilter reason");

        Assert.Equal("0/2 nodes are available: some prefilter reason.", new FitError(Make.Pod("p"), 2, d).Message);
    }
}
