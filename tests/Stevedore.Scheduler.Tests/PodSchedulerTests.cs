using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests;

public class PodSchedulerTests
{
    private const string ControlPlane = "node-role.kubernetes.io/control-plane";

    private static PodScheduler NewScheduler(int seed = 1) => new(Profile.CreateDefault(), new Random(seed));

    [Fact]
    public void ScheduleOne_NothingFits_MessageExactlyLikeUpstream()
    {
        var snapshot = Make.Snapshot(
        [
            Make.Node("cp1").Taint(ControlPlane, "", "NoSchedule"),
            Make.Node("cp2").Taint(ControlPlane, "", "NoSchedule"),
            Make.Node("w1").Cpu("1"),
        ]);

        var result = NewScheduler().ScheduleOne(Make.Pod("p").Req("2", ""), snapshot);

        Assert.False(result.IsSuccess);
        Assert.Equal(
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
            result.FailureMessage);
        Assert.Contains("TaintToleration", result.UnschedulablePlugins);
        Assert.Contains("NodeResourcesFit", result.UnschedulablePlugins);
    }

    [Fact]
    public void ScheduleOne_FullNodeOfEqualPriority_NoPreemptionVictims()
    {
        var snapshot = Make.Snapshot(
            [Make.Node("cp1").Taint(ControlPlane, "", "NoSchedule"), Make.Node("w1")],
            Make.Pod("busy").Node("w1").Req("3", ""));

        var result = NewScheduler().ScheduleOne(Make.Pod("p").Req("2", ""), snapshot);

        Assert.Equal(
            "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
            result.FailureMessage);
        Assert.Null(result.Nomination);
    }

    [Fact]
    public void ScheduleOne_NodeSelectorMatchesNothing_PendingMessage()
    {
        var result = NewScheduler().ScheduleOne(Make.Pod("p").NodeSelector("disk", "ssd"), Make.Snapshot([Make.Node("n1"), Make.Node("n2")]));

        Assert.Equal(
            "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
            result.FailureMessage);
        Assert.Equal("Unschedulable", result.PodScheduledCondition(DateTime.UnixEpoch)!.Reason);
    }

    [Fact]
    public void ScheduleOne_NoNodes_ErrorLikeUpstream()
    {
        var result = NewScheduler().ScheduleOne(Make.Pod("p"), Make.Snapshot([]));

        Assert.Equal("no nodes available to schedule pods", result.FailureMessage);
        Assert.Null(result.FitError);
    }

    [Fact]
    public void ScheduleOne_UnevenLoad_PicksLeastAllocatedNode()
    {
        var snapshot = Make.Snapshot(
            [Make.Node("busy"), Make.Node("idle"), Make.Node("half")],
            Make.Pod("a").Node("busy").Req("3", "6Gi"),
            Make.Pod("b").Node("half").Req("2", "4Gi"));

        var result = NewScheduler().ScheduleOne(Make.Pod("p").Req("500m", "512Mi"), snapshot);

        Assert.Equal("idle", result.SuggestedHost);
        Assert.Equal(3, result.FeasibleNodes);
    }

    [Fact]
    public void ScheduleOne_PreferredNodeAffinity_OutweighsEqualLoad()
    {
        var snapshot = Make.Snapshot([Make.Node("n1"), Make.Node("n2").Label("zone", "b"), Make.Node("n3")]);

        var result = NewScheduler().ScheduleOne(Make.Pod("p").PreferredNodeTerm(10, "zone", "In", "b"), snapshot);

        Assert.Equal("n2", result.SuggestedHost);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    public void ScheduleOne_TiedScores_InjectedRandomPicks(int seed)
    {
        var names = new[] { "n1", "n2", "n3", "n4" };
        var snapshot = Make.Snapshot(names.Select(n => Make.Node(n).Build()));

        var result = NewScheduler(seed).ScheduleOne(Make.Pod("p"), snapshot);

        Assert.Equal(names[new Random(seed).Next(names.Length)], result.SuggestedHost);
    }

    [Fact]
    public void ScheduleOne_TiedScores_DifferentSeedsSpreadChoices()
    {
        var snapshot = Make.Snapshot(new[] { "n1", "n2", "n3", "n4" }.Select(n => Make.Node(n).Build()));

        var chosen = Enumerable.Range(0, 20).Select(seed => NewScheduler(seed).ScheduleOne(Make.Pod("p"), snapshot).SuggestedHost).Distinct().Count();

        Assert.True(chosen > 1);
    }

    [Theory]
    [InlineData(50, 50)]
    [InlineData(100, 100)]
    [InlineData(1000, 420)]
    [InlineData(5000, 500)]
    [InlineData(10000, 500)]
    public void NumFeasibleNodesToFind_Adaptive_AsUpstream(int nodes, int expected)
    {
        Assert.Equal(expected, NewScheduler().NumFeasibleNodesToFind(nodes));
    }

    [Fact]
    public void ScheduleOne_ManyNodes_ParallelFilterFindsTheOneThatFits()
    {
        var nodes = Enumerable.Range(0, 300).Select(i => i == 137 ? Make.Node($"n{i}").Label("pick", "me").Build() : Make.Node($"n{i}").Build());

        var result = NewScheduler().ScheduleOne(Make.Pod("p").NodeSelector("pick", "me"), Make.Snapshot(nodes));

        Assert.Equal("n137", result.SuggestedHost);
        Assert.Equal(300, result.EvaluatedNodes);
    }

    [Fact]
    public void ScheduleOne_ManyFeasibleNodes_StopsAfterAdaptiveShareAndRotates()
    {
        var snapshot = Make.Snapshot(Enumerable.Range(0, 1000).Select(i => Make.Node($"n{i:D4}").Build()));
        var scheduler = NewScheduler();

        var first = scheduler.ScheduleOne(Make.Pod("p"), snapshot);
        var second = scheduler.ScheduleOne(Make.Pod("q"), snapshot);

        Assert.Equal(420, first.FeasibleNodes);
        Assert.Equal(420, second.FeasibleNodes);
        Assert.True(string.CompareOrdinal(first.SuggestedHost, "n0420") < 0, first.SuggestedHost);
        Assert.True(string.CompareOrdinal(second.SuggestedHost, "n0420") >= 0 && string.CompareOrdinal(second.SuggestedHost, "n0920") < 0, second.SuggestedHost);
    }

    [Fact]
    public void ScheduleOne_AfterACycleThatRejectedEveryNode_NextCycleCountsOnlyTheNodesItEvaluated()
    {
        // The per-node statuses are kept from cycle to cycle and cleared in between: a status left
        // over from the failed cycle would count as evaluated (and as a failure) in the next one.
        var snapshot = Make.Snapshot(Enumerable.Range(0, 200).Select(i => Make.Node($"n{i:D3}").Build()));
        var scheduler = NewScheduler();

        var rejected = scheduler.ScheduleOne(Make.Pod("big").Req("8", ""), snapshot);
        var placed = scheduler.ScheduleOne(Make.Pod("small").Req("100m", ""), snapshot);

        Assert.False(rejected.IsSuccess);
        Assert.Equal(200, rejected.EvaluatedNodes);
        Assert.True(placed.IsSuccess);
        Assert.Equal(100, placed.EvaluatedNodes);
        Assert.Equal(100, placed.FeasibleNodes);
    }

    [Fact]
    public void ScheduleOne_RequiredAntiAffinity_OnePodPerNode()
    {
        var snapshot = Make.Snapshot([Make.Node("n1"), Make.Node("n2"), Make.Node("n3")]);
        var scheduler = NewScheduler();
        var hosts = new List<string>();
        V1Pod Replica(int i) => Make.Pod($"web-{i}").Label("app", "web").PodAntiAffinity("app", "web", "kubernetes.io/hostname");

        for (var i = 0; i < 3; i++)
        {
            var pod = Replica(i);
            var result = scheduler.ScheduleOne(pod, snapshot);
            Assert.True(result.IsSuccess, result.FailureMessage);
            hosts.Add(result.SuggestedHost!);
            snapshot.AssumePod(pod, result.SuggestedHost!);
        }

        var fourth = scheduler.ScheduleOne(Replica(3), snapshot);

        Assert.Equal(3, hosts.Distinct().Count());
        Assert.Equal(
            "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
            fourth.FailureMessage);
        Assert.Contains("InterPodAffinity", fourth.UnschedulablePlugins);
    }

    [Fact]
    public void ScheduleOne_TopologySpreadAcrossZones_AlternatesZones()
    {
        var snapshot = Make.Snapshot(
        [
            Make.Node("a1").Label("zone", "a"),
            Make.Node("a2").Label("zone", "a"),
            Make.Node("b1").Label("zone", "b"),
        ]);
        var scheduler = NewScheduler();
        var zones = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var pod = Make.Pod($"w{i}").Label("app", "w").Spread(1, "zone", "DoNotSchedule", "app", "w").Build();
            var result = scheduler.ScheduleOne(pod, snapshot);
            Assert.True(result.IsSuccess, result.FailureMessage);
            snapshot.AssumePod(pod, result.SuggestedHost!);
            zones.Add(snapshot.Get(result.SuggestedHost!)!.Labels!["zone"]);
        }

        Assert.Equal(2, zones.Count(z => z == "a"));
        Assert.Equal(2, zones.Count(z => z == "b"));
    }

    [Fact]
    public void ScheduleOne_HigherPriorityPodNoRoom_NominatesNodeWithFewestVictims()
    {
        var snapshot = Make.Snapshot(
            [Make.Node("n1"), Make.Node("n2")],
            Make.Pod("big-low").Node("n1").Req("3", "").Priority(0),
            Make.Pod("small-a").Node("n2").Req("2", "").Priority(0),
            Make.Pod("small-b").Node("n2").Req("2", "").Priority(0));

        var result = NewScheduler().ScheduleOne(Make.Pod("vip").Req("3", "").Priority(100), snapshot);

        Assert.False(result.IsSuccess);
        Assert.Equal("0/2 nodes are available: 2 Insufficient cpu.", result.FailureMessage);
        Assert.NotNull(result.Nomination);
        Assert.Equal("n1", result.Nomination.NominatedNodeName);
        Assert.Equal(["big-low"], result.Nomination.Victims.Select(v => v.Metadata.Name));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("full", "")]
    [InlineData("half", "half")]
    public void ScheduleOne_NominatedNodeFits_ChosenBeforeOthers(string nominated, string expected)
    {
        var snapshot = Make.Snapshot(
            [Make.Node("idle"), Make.Node("half"), Make.Node("full")],
            Make.Pod("a").Node("half").Req("2", "4Gi"),
            Make.Pod("b").Node("full").Req("4", "8Gi"));
        var pod = Make.Pod("p").Req("1", "1Gi");
        if (nominated.Length > 0)
        {
            pod.NominatedNode(nominated);
        }

        var result = NewScheduler().ScheduleOne(pod, snapshot);

        Assert.Equal(expected.Length > 0 ? expected : "idle", result.SuggestedHost);
    }

    [Theory]
    [InlineData(0, "n2")]
    [InlineData(100, "n2")]
    [InlineData(101, "n1")]
    public void ScheduleOne_RoomNominatedToHigherPriorityPod_NotTaken(int priority, string expected)
    {
        var snapshot = Make.Snapshot([Make.Node("n1"), Make.Node("n2")], Make.Pod("busy").Node("n2").Req("1", ""));
        snapshot.SetNominatedNode(Make.Pod("vip").Req("3", "").Priority(100), "n1");

        var result = NewScheduler().ScheduleOne(Make.Pod("p").Req("2", "").Priority(priority), snapshot);

        Assert.Equal(expected, result.SuggestedHost);
    }

    [Fact]
    public void SetNominatedNode_PodBound_NominationCleared()
    {
        var snapshot = Make.Snapshot([Make.Node("n1")]);
        var vip = Make.Pod("vip").Req("3", "").Build();
        snapshot.SetNominatedNode(vip, "n1");

        snapshot.AssumePod(vip, "n1");

        Assert.Empty(snapshot.NominatedPods("n1"));
    }

    [Theory]
    [InlineData("none", false)]
    [InlineData("nominated", true)]
    [InlineData("bound", false)]
    [InlineData("cleared", false)]
    [InlineData("removed", false)]
    public void HasNominatedPods_AfterChange_SaysWhetherAnyNominationIsLeft(string change, bool expected)
    {
        var snapshot = Make.Snapshot([Make.Node("n1"), Make.Node("n2")]);
        var vip = Make.Pod("vip").Req("3", "").Build();
        if (change != "none")
        {
            snapshot.SetNominatedNode(vip, "n1");
        }

        switch (change)
        {
            case "bound":
                snapshot.AssumePod(vip, "n2");
                break;
            case "cleared":
                snapshot.SetNominatedNode(vip, null);
                break;
            case "removed":
                snapshot.RemovePod(vip);
                break;
        }

        Assert.Equal(expected, snapshot.HasNominatedPods);
        Assert.Equal(expected, snapshot.NominatedPods("n1").Count > 0);
    }
}
