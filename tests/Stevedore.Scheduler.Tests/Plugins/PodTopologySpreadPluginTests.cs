using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Plugins.PodTopologySpread;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests.Plugins;

public class PodTopologySpreadPluginTests
{
    private const string Host = "kubernetes.io/hostname";
    private const string Zone = "topology.kubernetes.io/zone";

    private static V1Node[] Nodes() =>
    [
        Make.Node("a1").Label(Zone, "a"),
        Make.Node("a2").Label(Zone, "a"),
        Make.Node("b1").Label(Zone, "b"),
        Make.Node("nolabel"),
    ];

    private static V1Pod Web(string name, string node, string ns = "default") => Make.Pod(name, ns).Label("app", "web").Node(node);

    public static TheoryData<string, V1Pod, V1Pod[], string, StatusCode, string?> FilterCases => new()
    {
        { "zone skew would reach 2", Make.Pod("p").Label("app", "web").Spread(1, Zone, "DoNotSchedule", "app", "web"), [Web("w1", "a1")], "a2", StatusCode.Unschedulable, PodTopologySpreadPlugin.ErrReasonConstraintsNotMatch },
        { "emptier zone accepted", Make.Pod("p").Label("app", "web").Spread(1, Zone, "DoNotSchedule", "app", "web"), [Web("w1", "a1")], "b1", StatusCode.Success, null },
        { "maxSkew 2 tolerates", Make.Pod("p").Label("app", "web").Spread(2, Zone, "DoNotSchedule", "app", "web"), [Web("w1", "a1")], "a2", StatusCode.Success, null },
        { "hostname spread", Make.Pod("p").Label("app", "web").Spread(1, Host, "DoNotSchedule", "app", "web"), [Web("w1", "a1")], "a1", StatusCode.Unschedulable, PodTopologySpreadPlugin.ErrReasonConstraintsNotMatch },
        { "node without the key", Make.Pod("p").Label("app", "web").Spread(1, Zone, "DoNotSchedule", "app", "web"), [], "nolabel", StatusCode.UnschedulableAndUnresolvable, PodTopologySpreadPlugin.ErrReasonNodeLabelNotMatch },
        { "balanced domains accept", Make.Pod("p").Label("app", "web").Spread(1, Zone, "DoNotSchedule", "app", "web"), [Web("w1", "a1"), Web("w2", "b1")], "b1", StatusCode.Success, null },
        { "minDomains above domain count pins minimum to 0", Make.Pod("p").Label("app", "web").Spread(1, Zone, "DoNotSchedule", "app", "web", minDomains: 3), [Web("w1", "a1"), Web("w2", "b1")], "b1", StatusCode.Unschedulable, PodTopologySpreadPlugin.ErrReasonConstraintsNotMatch },
        { "pod outside its own selector adds nothing", Make.Pod("p").Label("app", "other").Spread(1, Zone, "DoNotSchedule", "app", "web"), [Web("w1", "a1")], "a2", StatusCode.Success, null },
        { "other namespaces not counted", Make.Pod("p").Label("app", "web").Spread(1, Zone, "DoNotSchedule", "app", "web"), [Web("w1", "a1", "other")], "a2", StatusCode.Success, null },
        { "ScheduleAnyway never filters", Make.Pod("p").Label("app", "web").Spread(1, Zone, "ScheduleAnyway", "app", "web"), [Web("w1", "a1"), Web("w2", "a2")], "a2", StatusCode.Success, null },
        { "terminating pods not counted", Make.Pod("p").Label("app", "web").Spread(1, Zone, "DoNotSchedule", "app", "web"), [Make.Pod("w1").Label("app", "web").Node("a1").Terminating()], "a2", StatusCode.Success, null },
    };

    [Theory]
    [MemberData(nameof(FilterCases))]
    public void Filter_Constraints_AsUpstream(string name, V1Pod pod, V1Pod[] existing, string node, StatusCode code, string? reason)
    {
        var status = Make.RunFilter(new PodTopologySpreadPlugin(), pod, Make.Snapshot(Nodes(), existing), node);

        Assert.True(code == status.Code, $"{name}: {status}");
        if (reason is not null)
        {
            Assert.Equal(reason, status.Message);
        }
    }

    [Fact]
    public void Filter_NodeAffinityPolicyHonor_IgnoresDomainsThePodCannotUse()
    {
        // Zone b is excluded by the node selector, so its empty domain does not hold the minimum at 0.
        var nodes = new V1Node[] { Make.Node("a1").Label(Zone, "a").Label("pool", "x"), Make.Node("c1").Label(Zone, "c").Label("pool", "x"), Make.Node("b1").Label(Zone, "b") };
        var pod = Make.Pod("p").Label("app", "web").NodeSelector("pool", "x").Spread(1, Zone, "DoNotSchedule", "app", "web");

        var status = Make.RunFilter(new PodTopologySpreadPlugin(), pod, Make.Snapshot(nodes, Web("w1", "a1"), Web("w2", "c1")), "a1");

        Assert.True(status.IsSuccess, status.ToString());
    }

    [Fact]
    public void Score_ScheduleAnywayHostname_FewerMatchingPodsScoresHigher()
    {
        var nodes = new V1Node[] { Make.Node("n1"), Make.Node("n2"), Make.Node("n3") };
        var pod = Make.Pod("p").Label("app", "web").Spread(1, Host, "ScheduleAnyway", "app", "web");

        var scores = Make.RunScore(new PodTopologySpreadPlugin(), pod, Make.Snapshot(nodes, Web("w1", "n1"), Web("w2", "n1"), Web("w3", "n2")));

        Assert.Equal(0, scores["n1"]);
        Assert.Equal(33, scores["n2"]);
        Assert.Equal(100, scores["n3"]);
    }

    [Fact]
    public void Score_NodeWithoutTopologyKey_ScoresZero()
    {
        var pod = Make.Pod("p").Label("app", "web").Spread(1, Zone, "ScheduleAnyway", "app", "web");

        var scores = Make.RunScore(new PodTopologySpreadPlugin(), pod, Make.Snapshot(Nodes(), Web("w1", "a1")));

        Assert.Equal(0, scores["nolabel"]);
        Assert.Equal(100, scores["b1"]);
        Assert.True(scores["a1"] < scores["b1"]);
    }
}
