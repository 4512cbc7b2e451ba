using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Plugins.NodeResources;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests.Plugins;

public class NodeResourcesFitPluginTests
{
    public static TheoryData<string, string, string, string, int, string?, StatusCode> FilterCases => new()
    {
        // existing cpu, existing memory, pod cpu, pod memory, max pods, expected reasons, code
        { "3", "1Gi", "1", "1Gi", 110, null, StatusCode.Success },
        { "3", "1Gi", "2", "1Gi", 110, "Insufficient cpu", StatusCode.Unschedulable },
        { "0", "0", "5", "1Gi", 110, "Insufficient cpu", StatusCode.UnschedulableAndUnresolvable },
        { "3500m", "7Gi", "1", "2Gi", 110, "Insufficient cpu, Insufficient memory", StatusCode.Unschedulable },
        { "1", "1Gi", "1", "1Gi", 1, "Too many pods", StatusCode.Unschedulable },
        { "4", "8Gi", "", "", 110, null, StatusCode.Success },
        { "100m", "0", "0", "9Gi", 110, "Insufficient memory", StatusCode.UnschedulableAndUnresolvable },
    };

    [Theory]
    [MemberData(nameof(FilterCases))]
    public void Filter_Requests_ComparedWithFreeAllocatable(string usedCpu, string usedMem, string cpu, string mem, int maxPods, string? reasons, StatusCode code)
    {
        var existing = Make.Pod("old").Node("n1").Req(usedCpu == "0" ? "" : usedCpu, usedMem == "0" ? "" : usedMem);
        var snapshot = Make.Snapshot([Make.Node("n1").MaxPods(maxPods)], existing);

        var status = Make.RunFilter(new NodeResourcesFitPlugin(), Make.Pod("p").Req(cpu, mem), snapshot, "n1");

        Assert.Equal(code, status.Code);
        if (reasons is not null)
        {
            Assert.Equal(reasons, status.Message);
        }
    }

    [Theory]
    [InlineData(null, null, "1", "Insufficient example.com/gpu", StatusCode.UnschedulableAndUnresolvable)]
    [InlineData("2", "2", "1", "Insufficient example.com/gpu", StatusCode.Unschedulable)]
    [InlineData("2", "1", "1", null, StatusCode.Success)]
    public void Filter_ExtendedResource_Counted(string? allocatable, string? used, string wanted, string? reason, StatusCode code)
    {
        var node = Make.Node("n1");
        if (allocatable is not null)
        {
            node.Allocatable("example.com/gpu", allocatable);
        }

        var pods = used is null ? [] : new[] { Make.Pod("old").Node("n1").Request("example.com/gpu", used).Build() };
        var snapshot = Make.Snapshot([node], pods);

        var status = Make.RunFilter(new NodeResourcesFitPlugin(), Make.Pod("p").Request("example.com/gpu", wanted), snapshot, "n1");

        Assert.Equal(code, status.Code);
        if (reason is not null)
        {
            Assert.Equal(reason, status.Message);
        }
    }

    [Fact]
    public void Filter_EphemeralStorage_Counted()
    {
        var snapshot = Make.Snapshot([Make.Node("n1").Allocatable("ephemeral-storage", "10Gi")], Make.Pod("old").Node("n1").Request("ephemeral-storage", "8Gi"));

        var status = Make.RunFilter(new NodeResourcesFitPlugin(), Make.Pod("p").Request("ephemeral-storage", "4Gi"), snapshot, "n1");

        Assert.Equal("Insufficient ephemeral-storage", status.Message);
    }

    [Fact]
    public void Filter_InitContainerLargerThanApps_UsesInitRequest()
    {
        var pod = Make.Pod("p").Req("1", "1Gi").Init("init", "5", "1Gi");

        var status = Make.RunFilter(new NodeResourcesFitPlugin(), pod, Make.Snapshot([Make.Node("n1")]), "n1");

        Assert.Equal("Insufficient cpu", status.Message);
    }

    [Theory]
    [InlineData(ScoringStrategy.LeastAllocated, "", "", "1", "2Gi", 75)]
    [InlineData(ScoringStrategy.LeastAllocated, "2", "4Gi", "1", "2Gi", 25)]
    [InlineData(ScoringStrategy.LeastAllocated, "", "", "", "", 97)]
    [InlineData(ScoringStrategy.LeastAllocated, "4", "8Gi", "1", "1Gi", 0)]
    [InlineData(ScoringStrategy.MostAllocated, "", "", "1", "2Gi", 25)]
    [InlineData(ScoringStrategy.MostAllocated, "2", "4Gi", "1", "2Gi", 75)]
    public void Score_Strategy_ScoresFreeOrUsedShare(ScoringStrategy strategy, string usedCpu, string usedMem, string cpu, string mem, long expected)
    {
        var pods = usedCpu.Length == 0 ? [] : new[] { Make.Pod("old").Node("n1").Req(usedCpu, usedMem).Build() };
        var snapshot = Make.Snapshot([Make.Node("n1")], pods);

        var scores = Make.RunScore(new NodeResourcesFitPlugin(strategy), Make.Pod("p").Req(cpu, mem), snapshot);

        Assert.Equal(expected, scores["n1"]);
    }

    [Theory]
    [InlineData("2", "4Gi", 100)]
    [InlineData("1", "4Gi", 87)]
    [InlineData("4", "0", 50)]
    public void BalancedAllocation_Score_PenalizesUnevenUse(string cpu, string mem, long expected)
    {
        var pod = Make.Pod("p").Req(cpu, mem == "0" ? "" : mem);

        var scores = Make.RunScore(new BalancedAllocationPlugin(), pod, Make.Snapshot([Make.Node("n1")]));

        Assert.Equal(expected, scores["n1"]);
    }
}
