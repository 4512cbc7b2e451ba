using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Plugins.NodeAffinity;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests.Plugins;

public class NodeAffinityPluginTests
{
    [Theory]
    [InlineData("zone", "In", "a,b", true)]
    [InlineData("zone", "In", "b,c", false)]
    [InlineData("zone", "NotIn", "b", true)]
    [InlineData("zone", "NotIn", "a", false)]
    [InlineData("missing", "NotIn", "a", true)]
    [InlineData("zone", "Exists", "", true)]
    [InlineData("missing", "Exists", "", false)]
    [InlineData("missing", "DoesNotExist", "", true)]
    [InlineData("zone", "DoesNotExist", "", false)]
    [InlineData("cores", "Gt", "8", true)]
    [InlineData("cores", "Gt", "16", false)]
    [InlineData("cores", "Lt", "32", true)]
    [InlineData("cores", "Lt", "16", false)]
    [InlineData("zone", "Gt", "1", false)]
    [InlineData("cores", "Gt", "x", false)]
    public void Filter_RequiredExpression_Operators(string key, string op, string values, bool fits)
    {
        var node = Make.Node("n1").Label("zone", "a").Label("cores", "16");
        var pod = Make.Pod("p").RequiredNodeTerm(key, op, values.Length == 0 ? [] : values.Split(','));

        var status = Make.RunFilter(new NodeAffinityPlugin(), pod, Make.Snapshot([node]), "n1");

        Assert.Equal(fits, status.IsSuccess);
        if (!fits)
        {
            Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
            Assert.Equal("node(s) didn't match Pod's node affinity/selector", status.Message);
        }
    }

    [Theory]
    [InlineData("disk", "ssd", true)]
    [InlineData("disk", "hdd", false)]
    [InlineData("gpu", "yes", false)]
    public void Filter_NodeSelector_AllPairsMustMatch(string key, string value, bool fits)
    {
        var node = Make.Node("n1").Label("disk", "ssd");

        var status = Make.RunFilter(new NodeAffinityPlugin(), Make.Pod("p").NodeSelector(key, value), Make.Snapshot([node]), "n1");

        Assert.Equal(fits, status.IsSuccess);
    }

    [Fact]
    public void Filter_SeveralTerms_AnyTermSuffices()
    {
        var pod = Make.Pod("p").RequiredNodeTerm("zone", "In", "x").RequiredNodeTerm("zone", "In", "a");

        var status = Make.RunFilter(new NodeAffinityPlugin(), pod, Make.Snapshot([Make.Node("n1").Label("zone", "a")]), "n1");

        Assert.True(status.IsSuccess);
    }

    [Fact]
    public void Filter_NodeSelectorAndAffinity_BothRequired()
    {
        var pod = Make.Pod("p").NodeSelector("disk", "ssd").RequiredNodeTerm("zone", "In", "a");
        var snapshot = Make.Snapshot([Make.Node("n1").Label("zone", "a"), Make.Node("n2").Label("zone", "a").Label("disk", "ssd")]);

        Assert.False(Make.RunFilter(new NodeAffinityPlugin(), pod, snapshot, "n1").IsSuccess);
        Assert.True(Make.RunFilter(new NodeAffinityPlugin(), pod, snapshot, "n2").IsSuccess);
    }

    [Theory]
    [InlineData("In", "n2", "n2", true)]
    [InlineData("In", "n2", "n1", false)]
    [InlineData("NotIn", "n2", "n1", true)]
    [InlineData("NotIn", "n2", "n2", false)]
    public void Filter_MatchFieldsMetadataName_SelectsByName(string op, string named, string node, bool fits)
    {
        var pod = Make.Pod("p").RequiredNodeFieldTerm(op, named);

        var status = Make.RunFilter(new NodeAffinityPlugin(), pod, Make.Snapshot([Make.Node("n1"), Make.Node("n2")]), node);

        Assert.Equal(fits, status.IsSuccess);
    }

    [Fact]
    public void Filter_EmptyTerm_MatchesNothing()
    {
        var pod = Make.Pod("p").Build();
        pod.Spec.Affinity = new k8s.Models.V1Affinity
        {
            NodeAffinity = new k8s.Models.V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new k8s.Models.V1NodeSelector { NodeSelectorTerms = [new k8s.Models.V1NodeSelectorTerm()] },
            },
        };

        Assert.False(Make.RunFilter(new NodeAffinityPlugin(), pod, Make.Snapshot([Make.Node("n1")]), "n1").IsSuccess);
    }

    [Fact]
    public void Score_PreferredTerms_SumOfWeightsScaledToMax()
    {
        var pod = Make.Pod("p").PreferredNodeTerm(80, "zone", "In", "a").PreferredNodeTerm(20, "disk", "In", "ssd");
        var snapshot = Make.Snapshot(
        [
            Make.Node("both").Label("zone", "a").Label("disk", "ssd"),
            Make.Node("zone").Label("zone", "a"),
            Make.Node("disk").Label("disk", "ssd"),
            Make.Node("none"),
        ]);

        var scores = Make.RunScore(new NodeAffinityPlugin(), pod, snapshot);

        Assert.Equal(100, scores["both"]);
        Assert.Equal(80, scores["zone"]);
        Assert.Equal(20, scores["disk"]);
        Assert.Equal(0, scores["none"]);
    }
}
