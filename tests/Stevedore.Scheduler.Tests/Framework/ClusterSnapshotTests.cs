using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests.Framework;

public class ClusterSnapshotTests
{
    [Fact]
    public void AddPod_OnNode_CountsRequestsPortsAndPods()
    {
        var s = ClusterSnapshot.Create([Make.Node("n1")], [Make.Pod("a").Node("n1").Req("1", "1Gi").HostPort(80)]);

        var n = s.Get("n1")!;
        Assert.Single(n.Pods);
        Assert.Equal(1000, n.Requested.MilliCpu);
        Assert.True(n.UsedPorts.Conflicts(null, "TCP", 80));
    }

    [Fact]
    public void RemovePod_Assigned_ReleasesEverything()
    {
        var pod = Make.Pod("a").Node("n1").Req("1", "1Gi").HostPort(80).Build();
        var s = ClusterSnapshot.Create([Make.Node("n1")], [pod]);

        s.RemovePod(pod);

        var n = s.Get("n1")!;
        Assert.Empty(n.Pods);
        Assert.Equal(0, n.Requested.MilliCpu);
        Assert.False(n.UsedPorts.Conflicts(null, "TCP", 80));
    }

    [Theory]
    [InlineData("Succeeded", 0)]
    [InlineData("Failed", 0)]
    [InlineData("Running", 1)]
    public void AddPod_TerminalPhase_Ignored(string phase, int expected)
    {
        var pod = Make.Pod("a").Node("n1").Build();
        pod.Status.Phase = phase;

        var s = ClusterSnapshot.Create([Make.Node("n1")], [pod]);

        Assert.Equal(expected, s.Get("n1")!.Pods.Count);
    }

    [Fact]
    public void AddPod_BeforeItsNode_AttachedWhenNodeArrives()
    {
        var s = ClusterSnapshot.Create([], [Make.Pod("a").Node("late").Req("1", "")]);

        s.AddOrUpdateNode(Make.Node("late"));

        Assert.Equal(1000, s.Get("late")!.Requested.MilliCpu);
    }

    [Fact]
    public void AssumePod_UnboundPod_CountedOnChosenNode()
    {
        var s = ClusterSnapshot.Create([Make.Node("n1")]);
        var pod = Make.Pod("a").Req("2", "").Build();

        s.AssumePod(pod, "n1");

        Assert.Equal(2000, s.Get("n1")!.Requested.MilliCpu);
        Assert.Equal("n1", s.NodeOf("default/a"));
        Assert.Null(pod.Spec.NodeName);
    }

    [Fact]
    public void ImageNodeCount_NodesUpdatedAndRemoved_Tracked()
    {
        var s = ClusterSnapshot.Create([Make.Node("n1").Image(1, "nginx:1"), Make.Node("n2").Image(1, "nginx:1")]);
        Assert.Equal(2, s.ImageNodeCount("nginx:1"));

        s.AddOrUpdateNode(Make.Node("n2"));
        Assert.Equal(1, s.ImageNodeCount("nginx:1"));

        s.RemoveNode("n1");
        Assert.Equal(0, s.ImageNodeCount("nginx:1"));
    }

    [Fact]
    public void NodesWithAffinityPods_PodsComeAndGo_ListOnlyNodesRunningSuchPods()
    {
        var anti = Make.Pod("anti").PodAntiAffinity("app", "web", "kubernetes.io/hostname").Node("n1").Build();
        var preferred = Make.Pod("preferred").PreferredPodAffinity(10, "app", "db", "kubernetes.io/hostname").Node("n2").Build();
        var plain = Make.Pod("plain").Node("n3").Build();
        var s = ClusterSnapshot.Create([Make.Node("n1"), Make.Node("n2"), Make.Node("n3")], [anti, preferred, plain]);

        Assert.Equal(["n1", "n2"], s.NodesWithAffinityPods.Select(n => n.Name).Order());
        Assert.Equal(["n1"], s.NodesWithRequiredAntiAffinityPods.Select(n => n.Name));

        s.RemovePod(anti);
        var assumed = Make.Pod("assumed").PodAntiAffinity("app", "db", "kubernetes.io/hostname").Build();
        s.AssumePod(assumed, "n3");

        Assert.Equal(["n2", "n3"], s.NodesWithAffinityPods.Select(n => n.Name).Order());
        Assert.Equal(["n3"], s.NodesWithRequiredAntiAffinityPods.Select(n => n.Name));
    }

    [Fact]
    public void NodesWithAffinityPods_NodeRemovedAndBack_FollowsTheNode()
    {
        var anti = Make.Pod("anti").PodAntiAffinity("app", "web", "kubernetes.io/hostname").Node("n1").Build();
        var s = ClusterSnapshot.Create([Make.Node("n1")], [anti]);

        s.RemoveNode("n1");
        Assert.Empty(s.NodesWithAffinityPods);
        Assert.Empty(s.NodesWithRequiredAntiAffinityPods);

        s.AddOrUpdateNode(Make.Node("n1"));
        Assert.Equal(["n1"], s.NodesWithRequiredAntiAffinityPods.Select(n => n.Name));
    }

    [Fact]
    public void WithNodeReplaced_ReplacementChangedAfterwards_AffinityListsStillSeeIt()
    {
        var s = ClusterSnapshot.Create([Make.Node("n1"), Make.Node("n2")]);
        var trial = s.Get("n1")!.Clone();
        var view = s.WithNodeReplaced(trial);

        trial.AddPod(new PodInfo(Make.Pod("anti").PodAntiAffinity("app", "web", "kubernetes.io/hostname").Node("n1")));

        Assert.Contains(view.NodesWithRequiredAntiAffinityPods, n => ReferenceEquals(n, trial) && n.PodsWithRequiredAntiAffinity.Count == 1);
        Assert.Empty(s.NodesWithRequiredAntiAffinityPods);
    }
}
