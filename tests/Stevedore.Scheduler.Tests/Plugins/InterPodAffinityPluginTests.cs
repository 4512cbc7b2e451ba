using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Plugins.InterPodAffinity;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests.Plugins;

public class InterPodAffinityPluginTests
{
    private const string Host = "kubernetes.io/hostname";
    private const string Zone = "topology.kubernetes.io/zone";

    private static V1Node[] Nodes() =>
    [
        Make.Node("a1").Label(Zone, "a"),
        Make.Node("a2").Label(Zone, "a"),
        Make.Node("b1").Label(Zone, "b"),
    ];

    public static TheoryData<string, V1Pod, V1Pod[], string, StatusCode, string?> FilterCases => new()
    {
        { "affinity satisfied on same host", Make.Pod("p").PodAffinity("app", "db", Host), [Make.Pod("db").Label("app", "db").Node("a1")], "a1", StatusCode.Success, null },
        { "affinity not on other host", Make.Pod("p").PodAffinity("app", "db", Host), [Make.Pod("db").Label("app", "db").Node("a1")], "a2", StatusCode.UnschedulableAndUnresolvable, InterPodAffinityPlugin.ErrReasonAffinityRulesNotMatch },
        { "affinity by zone reaches sibling node", Make.Pod("p").PodAffinity("app", "db", Zone), [Make.Pod("db").Label("app", "db").Node("a1")], "a2", StatusCode.Success, null },
        { "affinity by zone excludes other zone", Make.Pod("p").PodAffinity("app", "db", Zone), [Make.Pod("db").Label("app", "db").Node("a1")], "b1", StatusCode.UnschedulableAndUnresolvable, InterPodAffinityPlugin.ErrReasonAffinityRulesNotMatch },
        { "first pod of a self-affine group", Make.Pod("p").Label("app", "web").PodAffinity("app", "web", Zone), [], "b1", StatusCode.Success, null },
        { "no match and not self-affine", Make.Pod("p").PodAffinity("app", "web", Zone), [], "b1", StatusCode.UnschedulableAndUnresolvable, InterPodAffinityPlugin.ErrReasonAffinityRulesNotMatch },
        { "affinity ignores other namespace", Make.Pod("p").PodAffinity("app", "db", Host), [Make.Pod("db", "other").Label("app", "db").Node("a1")], "a1", StatusCode.UnschedulableAndUnresolvable, InterPodAffinityPlugin.ErrReasonAffinityRulesNotMatch },
        { "affinity with listed namespace", Make.Pod("p").PodAffinity("app", "db", Host, namespaces: ["other"]), [Make.Pod("db", "other").Label("app", "db").Node("a1")], "a1", StatusCode.Success, null },
        { "affinity with empty namespace selector = all", Make.Pod("p").PodAffinity("app", "db", Host, namespaceSelector: new V1LabelSelector()), [Make.Pod("db", "other").Label("app", "db").Node("a1")], "a1", StatusCode.Success, null },
        { "anti-affinity same host", Make.Pod("p").PodAntiAffinity("app", "web", Host), [Make.Pod("w").Label("app", "web").Node("a1")], "a1", StatusCode.Unschedulable, InterPodAffinityPlugin.ErrReasonAntiAffinityRulesNotMatch },
        { "anti-affinity other host fine", Make.Pod("p").PodAntiAffinity("app", "web", Host), [Make.Pod("w").Label("app", "web").Node("a1")], "a2", StatusCode.Success, null },
        { "anti-affinity zone blocks sibling", Make.Pod("p").PodAntiAffinity("app", "web", Zone), [Make.Pod("w").Label("app", "web").Node("a1")], "a2", StatusCode.Unschedulable, InterPodAffinityPlugin.ErrReasonAntiAffinityRulesNotMatch },
        { "existing pod's anti-affinity rejects incoming", Make.Pod("p").Label("app", "web"), [Make.Pod("w").PodAntiAffinity("app", "web", Host).Node("a1")], "a1", StatusCode.Unschedulable, InterPodAffinityPlugin.ErrReasonExistingAntiAffinityRulesNotMatch },
        { "existing pod's anti-affinity elsewhere", Make.Pod("p").Label("app", "web"), [Make.Pod("w").PodAntiAffinity("app", "web", Host).Node("a1")], "a2", StatusCode.Success, null },
        { "topology key missing on node", Make.Pod("p").PodAffinity("app", "db", "rack"), [Make.Pod("db").Label("app", "db").Node("a1")], "a1", StatusCode.UnschedulableAndUnresolvable, InterPodAffinityPlugin.ErrReasonAffinityRulesNotMatch },
    };

    [Theory]
    [MemberData(nameof(FilterCases))]
    public void Filter_Terms_AsUpstream(string name, V1Pod pod, V1Pod[] existing, string node, StatusCode code, string? reason)
    {
        var status = Make.RunFilter(new InterPodAffinityPlugin(), pod, Make.Snapshot(Nodes(), existing), node);

        Assert.True(code == status.Code, $"{name}: {status}");
        if (reason is not null)
        {
            Assert.Equal(reason, status.Message);
        }
    }

    [Fact]
    public void Filter_NamespaceSelector_MatchesLabelledNamespaces()
    {
        var pod = Make.Pod("p").PodAffinity("app", "db", Host, namespaceSelector: new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["team"] = "x" } });
        var snapshot = ClusterSnapshot.Create(
            Nodes(),
            [Make.Pod("db", "teamx").Label("app", "db").Node("a1"), Make.Pod("db", "teamy").Label("app", "db").Node("a2")],
            [
                new V1Namespace { Metadata = new V1ObjectMeta { Name = "teamx", Labels = new Dictionary<string, string> { ["team"] = "x" } } },
                new V1Namespace { Metadata = new V1ObjectMeta { Name = "teamy", Labels = new Dictionary<string, string> { ["team"] = "y" } } },
            ]);

        Assert.True(Make.RunFilter(new InterPodAffinityPlugin(), pod, snapshot, "a1").IsSuccess);
        Assert.False(Make.RunFilter(new InterPodAffinityPlugin(), pod, snapshot, "a2").IsSuccess);
    }

    [Fact]
    public void Score_PreferredAffinityAndAntiAffinity_MinMaxNormalized()
    {
        var pod = Make.Pod("p").PreferredPodAffinity(10, "app", "cache", Zone).PreferredPodAntiAffinity(5, "app", "noisy", Host);
        var snapshot = Make.Snapshot(
            Nodes(),
            Make.Pod("c").Label("app", "cache").Node("a1"),
            Make.Pod("n").Label("app", "noisy").Node("a1"));

        var scores = Make.RunScore(new InterPodAffinityPlugin(), pod, snapshot);

        // a1: +10 -5 = 5, a2: +10, b1: 0 → min 0, max 10.
        Assert.Equal(50, scores["a1"]);
        Assert.Equal(100, scores["a2"]);
        Assert.Equal(0, scores["b1"]);
    }

    [Fact]
    public void Score_ExistingPodsPreferences_CountTowardsIncoming()
    {
        var pod = Make.Pod("p").Label("app", "web");
        var snapshot = Make.Snapshot(
            Nodes(),
            Make.Pod("likes").PreferredPodAffinity(50, "app", "web", Host).Node("b1"),
            Make.Pod("hates").PreferredPodAntiAffinity(50, "app", "web", Host).Node("a1"));

        var scores = Make.RunScore(new InterPodAffinityPlugin(), pod, snapshot);

        Assert.Equal(100, scores["b1"]);
        Assert.Equal(50, scores["a2"]);
        Assert.Equal(0, scores["a1"]);
    }

    [Fact]
    public void PreFilter_NoTermsAnywhere_Skips()
    {
        var status = new InterPodAffinityPlugin().PreFilter(new CycleState(), Make.Pod("p"), Make.Snapshot(Nodes(), Make.Pod("x").Node("a1")));

        Assert.True(status.IsSkip);
    }

    [Fact]
    public void Filter_AntiAffinityPodAssumedAfterTheSnapshotWasBuilt_RejectsItsZone()
    {
        var snapshot = Make.Snapshot(Nodes(), Make.Pod("x").Node("b1"));
        snapshot.AssumePod(Make.Pod("w").PodAntiAffinity("app", "web", Zone), "a1");
        var pod = Make.Pod("p").Label("app", "web");

        Assert.Equal(StatusCode.Unschedulable, Make.RunFilter(new InterPodAffinityPlugin(), pod, snapshot, "a2").Code);
        Assert.True(Make.RunFilter(new InterPodAffinityPlugin(), pod, snapshot, "b1").IsSuccess);
    }

    [Fact]
    public void Score_AffinityPodRemoved_NoLongerCounts()
    {
        var likes = Make.Pod("likes").PreferredPodAffinity(50, "app", "web", Host).Node("b1").Build();
        var snapshot = Make.Snapshot(Nodes(), likes);
        var pod = Make.Pod("p").Label("app", "web");
        Assert.Equal(100, Make.RunScore(new InterPodAffinityPlugin(), pod, snapshot)["b1"]);

        snapshot.RemovePod(likes);

        Assert.True(new InterPodAffinityPlugin().PreScore(new CycleState(), pod, snapshot, snapshot.Nodes).IsSkip);
    }
}
