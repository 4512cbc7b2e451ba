using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests.Framework;

public class ProfileTests
{
    private static readonly V1Pod Pod = Make.Pod("p");

    private static Profile ProfileOf(params (FakePlugin Plugin, int Weight)[] plugins) => ProfileOf(1, plugins);

    private static Profile ProfileOf(int parallelism, params (FakePlugin Plugin, int Weight)[] plugins) =>
        Profile.Create("test", plugins.Select(p => new PluginRegistration(p.Plugin.Name, _ => p.Plugin, p.Weight)), new PluginArgs { Parallelism = parallelism });

    [Theory]
    [InlineData(StatusCode.Unschedulable, false)]
    [InlineData(StatusCode.UnschedulableAndUnresolvable, false)]
    [InlineData(StatusCode.Success, true)]
    public void RunFilterPlugins_FirstRejection_StopsAndNamesPlugin(StatusCode first, bool secondRuns)
    {
        var a = new FakePlugin("A") { FilterStatus = Status.Of(first, first == StatusCode.Success ? [] : ["nope"]) };
        var b = new FakePlugin("B");
        var profile = ProfileOf((a, 1), (b, 1));
        var snapshot = Make.Snapshot([Make.Node("n1")]);

        var status = profile.RunFilterPlugins(new CycleState(), Pod, snapshot.Get("n1")!);

        Assert.Equal(first, status.Code);
        Assert.Equal(secondRuns ? 1 : 0, b.FilterCalls);
        if (!status.IsSuccess)
        {
            Assert.Equal("A", status.Plugin);
        }
    }

    [Fact]
    public void RunPreFilterPlugins_Skip_FilterNotRun()
    {
        var a = new FakePlugin("A") { PreFilterStatus = Status.Skip, FilterStatus = Status.Unschedulable("would reject") };
        var profile = ProfileOf((a, 1));
        var snapshot = Make.Snapshot([Make.Node("n1")]);
        var state = new CycleState();

        Assert.True(profile.RunPreFilterPlugins(state, Pod, snapshot).IsSuccess);
        Assert.True(profile.RunFilterPlugins(state, Pod, snapshot.Get("n1")!).IsSuccess);
        Assert.Equal(0, a.FilterCalls);
    }

    [Fact]
    public void RunScorePlugins_Weights_MultiplyNormalizedScores()
    {
        var a = new FakePlugin("A") { ScoreOf = n => n.Name == "n1" ? 10 : 20 };
        var b = new FakePlugin("B") { ScoreOf = n => n.Name == "n1" ? 30 : 0 };
        var profile = ProfileOf((a, 1), (b, 3));
        var snapshot = Make.Snapshot([Make.Node("n1"), Make.Node("n2")]);

        var (totals, status) = profile.RunScorePlugins(new CycleState(), Pod, snapshot.Nodes);

        Assert.True(status.IsSuccess);
        Assert.Equal([100, 20], totals);
    }

    [Fact]
    public void RunScorePlugins_RepeatedCyclesOverChangingNodeCounts_EachSeesOnlyItsOwnScores()
    {
        // The profile keeps its score arrays from cycle to cycle; nothing of an earlier cycle may leak.
        var a = new FakePlugin("A") { ScoreOf = n => n.Name == "n1" ? 10 : 20 };
        var profile = ProfileOf((a, 2));
        var two = Make.Snapshot([Make.Node("n1"), Make.Node("n2")]).Nodes;
        var three = Make.Snapshot([Make.Node("n1"), Make.Node("n2"), Make.Node("n3")]).Nodes;

        var (first, _) = profile.RunScorePlugins(new CycleState(), Pod, two);
        a.ScoreOf = n => n.Name == "n1" ? 5 : 7;
        var (second, _) = profile.RunScorePlugins(new CycleState(), Pod, two);
        var (third, _) = profile.RunScorePlugins(new CycleState(), Pod, three);
        a.ScoreOf = n => n.Name == "n2" ? 1 : 0;
        var (fourth, status) = profile.RunScorePlugins(new CycleState(), Pod, two);

        Assert.True(status.IsSuccess);
        Assert.Equal([20, 40], first);
        Assert.Equal([10, 14], second);
        Assert.Equal([10, 14, 14], third);
        Assert.Equal([0, 2], fourth);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void RunScorePlugins_ManyNodesOnSeveralThreads_SameTotalsAsOnOneThread(int parallelism)
    {
        var nodes = Make.Snapshot(Enumerable.Range(0, 300).Select(i => Make.Node("n" + i).Build())).Nodes;
        static long Index(NodeInfo n) => long.Parse(n.Name[1..], System.Globalization.CultureInfo.InvariantCulture);
        FakePlugin A() => new("A") { ScoreOf = n => Index(n) % 101 };
        FakePlugin B() => new("B") { ScoreOf = n => 100 - (Index(n) * 7 % 101) };

        var (sequential, s1) = ProfileOf(1, (A(), 1), (B(), 2)).RunScorePlugins(new CycleState(), Pod, nodes);
        var (parallel, s2) = ProfileOf(parallelism, (A(), 1), (B(), 2)).RunScorePlugins(new CycleState(), Pod, nodes);

        Assert.True(s1.IsSuccess);
        Assert.True(s2.IsSuccess);
        Assert.Equal(sequential, parallel);
        Assert.Equal((299 % 101) + (2 * (100 - (299 * 7 % 101))), parallel[299]);
    }

    [Fact]
    public void RunScorePlugins_TwoPluginsFail_FirstInProfileOrderReported()
    {
        var a = new FakePlugin("A") { ScoreStatusOf = n => n.Name == "n2" ? Status.Error("a broke") : Status.Success };
        var b = new FakePlugin("B") { ScoreStatusOf = n => n.Name == "n1" ? Status.Error("b broke") : Status.Success };
        var profile = ProfileOf((a, 1), (b, 1));

        var (_, status) = profile.RunScorePlugins(new CycleState(), Pod, Make.Snapshot([Make.Node("n1"), Make.Node("n2")]).Nodes);

        Assert.Equal(StatusCode.Error, status.Code);
        Assert.Equal("A", status.Plugin);
        Assert.Equal("a broke", status.Message);
    }

    [Fact]
    public void RunFilterPlugins_PreFilterSkip_HoldsForEveryNodeOfTheCycleOnly()
    {
        var a = new FakePlugin("A") { PreFilterStatus = Status.Skip, FilterStatus = Status.Unschedulable("would reject") };
        var profile = ProfileOf((a, 1));
        var snapshot = Make.Snapshot([Make.Node("n1"), Make.Node("n2")]);
        var cycle = new CycleState();

        profile.RunPreFilterPlugins(cycle, Pod, snapshot);
        var first = profile.RunFilterPlugins(cycle, Pod, snapshot.Get("n1")!);
        var second = profile.RunFilterPlugins(cycle, Pod, snapshot.Get("n2")!);
        var withoutPreFilter = profile.RunFilterPlugins(new CycleState(), Pod, snapshot.Get("n1")!);

        Assert.True(first.IsSuccess);
        Assert.True(second.IsSuccess);
        Assert.Equal(StatusCode.Unschedulable, withoutPreFilter.Code);
        Assert.Equal(1, a.FilterCalls);
    }

    [Theory]
    [InlineData(101)]
    [InlineData(-1)]
    public void RunScorePlugins_ScoreOutOfRange_Error(long score)
    {
        var profile = ProfileOf((new FakePlugin("A") { ScoreOf = _ => score }, 1));

        var (_, status) = profile.RunScorePlugins(new CycleState(), Pod, Make.Snapshot([Make.Node("n1")]).Nodes);

        Assert.Equal(StatusCode.Error, status.Code);
        Assert.Equal("A", status.Plugin);
    }

    [Fact]
    public void RunReservePlugins_LaterFails_EarlierUnreserved()
    {
        var a = new FakePlugin("A");
        var b = new FakePlugin("B") { ReserveStatus = Status.Error("full") };
        var profile = ProfileOf((a, 1), (b, 1));

        var status = profile.RunReservePlugins(new CycleState(), Pod, "n1");

        Assert.Equal("B", status.Plugin);
        Assert.Equal(1, a.Unreserves);
    }

    [Fact]
    public async Task RunBindPluginsAsync_FirstSkips_SecondBinds()
    {
        var a = new FakePlugin("A") { BindStatus = Status.Skip };
        var b = new FakePlugin("B");
        var profile = ProfileOf((a, 1), (b, 1));

        var status = await profile.RunBindPluginsAsync(new CycleState(), Pod, "n1", CancellationToken.None);

        Assert.True(status.IsSuccess);
        Assert.Equal("B", status.Plugin);
    }

    [Fact]
    public void Create_RegistrationNameDiffers_Throws()
    {
        Assert.Throws<InvalidOperationException>(() =>
            Profile.Create("x", [new PluginRegistration("Wrong", _ => new FakePlugin("Right"))]));
    }

    [Fact]
    public void CreateDefault_EveryBuiltIn_RegisteredOnceWithUpstreamWeights()
    {
        var names = Scheduler.Plugins.BuiltInPlugins.All.Select(r => r.Name).ToList();
        var weights = Scheduler.Plugins.BuiltInPlugins.All.ToDictionary(r => r.Name, r => r.Weight);

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(names, Profile.CreateDefault().Plugins.Select(p => p.Name));
        Assert.Equal(3, weights["TaintToleration"]);
        Assert.Equal(2, weights["NodeAffinity"]);
        Assert.Equal(2, weights["PodTopologySpread"]);
        Assert.Equal(2, weights["InterPodAffinity"]);
        Assert.Equal(1, weights["NodeResourcesFit"]);
    }

    private sealed class FakePlugin(string name) : IPreFilterPlugin, IFilterPlugin, IScorePlugin, IReservePlugin, IBindPlugin
    {
        public string Name { get; } = name;

        public Status PreFilterStatus { get; init; } = Status.Success;

        public Status FilterStatus { get; init; } = Status.Success;

        public Func<NodeInfo, long> ScoreOf { get; set; } = _ => 0;

        public Func<NodeInfo, Status> ScoreStatusOf { get; init; } = _ => Status.Success;

        public Status ReserveStatus { get; init; } = Status.Success;

        public Status BindStatus { get; init; } = Status.Success;

        public int FilterCalls { get; private set; }

        public int Unreserves { get; private set; }

        public Status PreFilter(CycleState state, V1Pod pod, ClusterSnapshot snapshot) => PreFilterStatus;

        public Status Filter(CycleState state, V1Pod pod, NodeInfo nodeInfo)
        {
            FilterCalls++;
            return FilterStatus;
        }

        public Status Score(CycleState state, V1Pod pod, NodeInfo nodeInfo, out long score)
        {
            score = ScoreOf(nodeInfo);
            return ScoreStatusOf(nodeInfo);
        }

        public Status Reserve(CycleState state, V1Pod pod, string nodeName) => ReserveStatus;

        public void Unreserve(CycleState state, V1Pod pod, string nodeName) => Unreserves++;

        public Task<Status> BindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken cancellationToken) => Task.FromResult(BindStatus);
    }
}
