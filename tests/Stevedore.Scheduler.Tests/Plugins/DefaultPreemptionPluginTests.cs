using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Plugins.DefaultPreemption;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests.Plugins;

public class DefaultPreemptionPluginTests
{
    private static readonly Profile DefaultProfile = Profile.CreateDefault();

    private static DefaultPreemptionPlugin Plugin() => new(DefaultProfile, PluginArgs.Default);

    private static Dictionary<string, Status> FilterAll(V1Pod pod, ClusterSnapshot snapshot)
    {
        var state = new CycleState();
        var pre = DefaultProfile.RunPreFilterPlugins(state, pod, snapshot);
        return snapshot.Nodes.ToDictionary(n => n.Name, n => pre.IsSuccess ? DefaultProfile.RunFilterPlugins(state, pod, n) : pre);
    }

    [Fact]
    public void SelectVictimsOnNode_MixedPriorities_EvictsOnlyWhatIsNeeded()
    {
        var snapshot = Make.Snapshot(
            [Make.Node("n1")],
            Make.Pod("low1").Node("n1").Req("1", "").Priority(1),
            Make.Pod("low2").Node("n1").Req("2", "").Priority(2),
            Make.Pod("high").Node("n1").Req("1", "").Priority(100));
        var pod = Make.Pod("p").Req("2", "").Priority(10).Build();

        var (victims, status) = Plugin().SelectVictimsOnNode(pod, snapshot, snapshot.Get("n1")!);

        Assert.True(status.IsSuccess);
        Assert.Equal(["low2"], victims!.Select(v => v.Metadata.Name));
    }

    [Fact]
    public void SelectVictimsOnNode_EqualPriorityVictims_OlderPodReprievedFirst()
    {
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var snapshot = Make.Snapshot(
            [Make.Node("n1")],
            Make.Pod("newer").Node("n1").Req("2", "").Priority(0).StartTime(t0.AddHours(1)),
            Make.Pod("older").Node("n1").Req("2", "").Priority(0).StartTime(t0));

        var (victims, _) = Plugin().SelectVictimsOnNode(Make.Pod("p").Req("2", "").Priority(5), snapshot, snapshot.Get("n1")!);

        Assert.Equal(["newer"], victims!.Select(v => v.Metadata.Name));
    }

    [Fact]
    public void SelectVictimsOnNode_NoLowerPriorityPods_NoVictimsReason()
    {
        var snapshot = Make.Snapshot([Make.Node("n1")], Make.Pod("same").Node("n1").Req("4", "").Priority(5));

        var (victims, status) = Plugin().SelectVictimsOnNode(Make.Pod("p").Req("1", "").Priority(5), snapshot, snapshot.Get("n1")!);

        Assert.Null(victims);
        Assert.Equal("No preemption victims found for incoming pod", status.Message);
    }

    [Fact]
    public void SelectVictimsOnNode_EvictingAllLowerStillNotEnough_FilterReason()
    {
        var snapshot = Make.Snapshot(
            [Make.Node("n1")],
            Make.Pod("high").Node("n1").Req("3", "").Priority(100),
            Make.Pod("low").Node("n1").Req("500m", "").Priority(0));

        var (victims, status) = Plugin().SelectVictimsOnNode(Make.Pod("p").Req("2", "").Priority(10), snapshot, snapshot.Get("n1")!);

        Assert.Null(victims);
        Assert.Equal("Insufficient cpu", status.Message);
    }

    [Fact]
    public void SelectVictimsOnNode_AntiAffinityBlocker_Evicted()
    {
        var snapshot = Make.Snapshot([Make.Node("n1")], Make.Pod("web").Label("app", "web").Node("n1").Priority(0), Make.Pod("other").Node("n1").Priority(0));
        var pod = Make.Pod("p").Priority(10).PodAntiAffinity("app", "web", "kubernetes.io/hostname").Build();

        var (victims, status) = Plugin().SelectVictimsOnNode(pod, snapshot, snapshot.Get("n1")!);

        Assert.True(status.IsSuccess);
        Assert.Equal(["web"], victims!.Select(v => v.Metadata.Name));
    }

    public static TheoryData<string, int[], int[], string> PickCases => new()
    {
        { "lower highest priority wins", [5], [1, 1], "n2" },
        { "equal highest: lower sum wins", [1, 1], [1], "n2" },
        { "fewer victims at equal sums", [0, 0], [0], "n2" },
        { "all equal: first candidate", [3], [3], "n1" },
        { "negative priorities compare", [-5, -5], [-1], "n1" },
    };

    [Theory]
    [MemberData(nameof(PickCases))]
    public void PickOneCandidate_Criteria_AsUpstream(string name, int[] n1Victims, int[] n2Victims, string expected)
    {
        DefaultPreemptionPlugin.Candidate Candidate(string node, int[] priorities) =>
            new(node, priorities.Select((p, i) => Make.Pod($"{node}-{i}").Priority(p).Build()).ToList());

        var best = DefaultPreemptionPlugin.PickOneCandidate([Candidate("n1", n1Victims), Candidate("n2", n2Victims)]);

        Assert.True(expected == best.NodeName, name);
    }

    [Fact]
    public void PostFilter_PreemptionPolicyNever_NotEligible()
    {
        var snapshot = Make.Snapshot([Make.Node("n1")], Make.Pod("low").Node("n1").Req("4", "").Priority(0));
        var pod = Make.Pod("p").Req("1", "").Priority(10).PreemptionPolicy("Never").Build();

        var (result, status) = Plugin().PostFilter(new CycleState(), pod, snapshot, FilterAll(pod, snapshot));

        Assert.Null(result);
        Assert.Equal("preemption: not eligible due to preemptionPolicy=Never.", status.Message);
    }

    [Fact]
    public void PostFilter_VictimsStillTerminatingOnNominatedNode_Waits()
    {
        var snapshot = Make.Snapshot([Make.Node("n1")], Make.Pod("low").Node("n1").Req("4", "").Priority(0).Terminating());
        var pod = Make.Pod("p").Req("1", "").Priority(10).NominatedNode("n1").Build();

        var (_, status) = Plugin().PostFilter(new CycleState(), pod, snapshot, FilterAll(pod, snapshot));

        Assert.Equal("preemption: not eligible due to a terminating pod on the nominated node.", status.Message);
    }

    [Fact]
    public void PostFilter_Success_NominatesAndListsVictims()
    {
        var snapshot = Make.Snapshot([Make.Node("n1"), Make.Node("n2").Taint("x", "y", "NoSchedule")], Make.Pod("low").Node("n1").Req("4", "").Priority(0));
        var pod = Make.Pod("p").Req("1", "").Priority(10).Build();

        var (result, status) = Plugin().PostFilter(new CycleState(), pod, snapshot, FilterAll(pod, snapshot));

        Assert.True(status.IsSuccess);
        Assert.Equal("n1", result!.NominatedNodeName);
        Assert.Equal(["low"], result.Victims.Select(v => v.Metadata.Name));
    }
}
