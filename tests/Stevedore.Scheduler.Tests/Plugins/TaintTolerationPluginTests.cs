using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Plugins.TaintToleration;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests.Plugins;

public class TaintTolerationPluginTests
{
    [Theory]
    [InlineData("NoSchedule", "", "", "", "", "node(s) had untolerated taint {dedicated: gpu}")]
    [InlineData("NoExecute", "", "", "", "", "node(s) had untolerated taint {dedicated: gpu}")]
    [InlineData("PreferNoSchedule", "", "", "", "", null)]
    [InlineData("NoSchedule", "dedicated", "Equal", "gpu", "NoSchedule", null)]
    [InlineData("NoSchedule", "dedicated", "", "gpu", "", null)]
    [InlineData("NoSchedule", "dedicated", "Equal", "cpu", "NoSchedule", "node(s) had untolerated taint {dedicated: gpu}")]
    [InlineData("NoSchedule", "dedicated", "Exists", "", "NoSchedule", null)]
    [InlineData("NoSchedule", "dedicated", "Exists", "", "NoExecute", "node(s) had untolerated taint {dedicated: gpu}")]
    [InlineData("NoExecute", "", "Exists", "", "", null)]
    public void Filter_Taints_TolerationsDecide(string effect, string tolKey, string tolOp, string tolValue, string tolEffect, string? reason)
    {
        var node = Make.Node("n1").Taint("dedicated", "gpu", effect);
        var pod = Make.Pod("p");
        if (tolOp.Length > 0 || tolKey.Length > 0)
        {
            pod.Toleration(tolKey, tolOp, tolValue, tolEffect);
        }

        var status = Make.RunFilter(new TaintTolerationPlugin(), pod, Make.Snapshot([node]), "n1");

        if (reason is null)
        {
            Assert.True(status.IsSuccess, status.ToString());
        }
        else
        {
            Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
            Assert.Equal(reason, status.Message);
        }
    }

    [Fact]
    public void Filter_ControlPlaneTaintWithEmptyValue_ReadsLikeUpstream()
    {
        var node = Make.Node("cp").Taint("node-role.kubernetes.io/control-plane", "", "NoSchedule");

        var status = Make.RunFilter(new TaintTolerationPlugin(), Make.Pod("p"), Make.Snapshot([node]), "cp");

        Assert.Equal("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }", status.Message);
    }

    [Theory]
    [InlineData(false, 0, 100)]
    [InlineData(false, 1, 50)]
    [InlineData(false, 2, 0)]
    [InlineData(true, 2, 100)]
    public void Score_PreferNoScheduleTaints_FewerIntolerableIsBetter(bool tolerateAll, int taintsOnN2, long expectedN2)
    {
        var n1 = Make.Node("n1").Taint("a", "1", "PreferNoSchedule").Taint("b", "1", "PreferNoSchedule");
        var n2 = Make.Node("n2");
        var n3 = Make.Node("n3");
        for (var i = 0; i < taintsOnN2; i++)
        {
            n2.Taint($"k{i}", "v", "PreferNoSchedule");
        }

        var pod = Make.Pod("p");
        if (tolerateAll)
        {
            pod.Toleration("", "Exists", "", "PreferNoSchedule");
        }

        var scores = Make.RunScore(new TaintTolerationPlugin(), pod, Make.Snapshot([n1, n2, n3]));

        Assert.Equal(expectedN2, scores["n2"]);
        Assert.Equal(100, scores["n3"]);
        Assert.Equal(tolerateAll ? 100 : 0, scores["n1"]);
    }
}
