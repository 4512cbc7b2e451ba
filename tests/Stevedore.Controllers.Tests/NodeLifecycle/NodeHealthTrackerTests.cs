using k8s.Models;
using Stevedore.Controllers.NodeLifecycle;

namespace Stevedore.Controllers.Tests.NodeLifecycle;

public class NodeHealthTrackerTests
{
    private static V1Node Node(string ready = "True", DateTime? heartbeat = null, bool unschedulable = false, IList<V1Taint>? taints = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "n1", CreationTimestamp = Build.Now.AddHours(-1) },
        Spec = new V1NodeSpec { Unschedulable = unschedulable, Taints = taints },
        Status = new V1NodeStatus
        {
            Conditions =
            [
                new V1NodeCondition { Type = "Ready", Status = ready, Reason = "KubeletReady", LastHeartbeatTime = heartbeat ?? Build.Now, LastTransitionTime = Build.Now.AddHours(-1) },
                new V1NodeCondition { Type = "MemoryPressure", Status = "False", LastHeartbeatTime = heartbeat ?? Build.Now },
            ],
        },
    };

    private static V1Lease Lease(DateTime renew) => new() { Metadata = new V1ObjectMeta { Name = "n1" }, Spec = new V1LeaseSpec { RenewTime = renew } };

    [Theory]
    [InlineData(39, "True")]
    [InlineData(41, "Unknown")]
    public void Observe_SilentNode_UnknownAfterGracePeriod(int silentSeconds, string expected)
    {
        var tracker = new NodeHealthTracker();
        var node = Node();
        tracker.Observe(node, Lease(Build.Now), Build.Now);

        var decision = tracker.Observe(node, Lease(Build.Now), Build.Now.AddSeconds(silentSeconds));

        Assert.Equal(expected, decision.Ready);
        Assert.Equal(expected == "Unknown", decision.ConditionsChanged);
    }

    [Fact]
    public void Observe_LeaseKeepsRenewing_StaysReady()
    {
        var tracker = new NodeHealthTracker();
        var node = Node();
        for (var t = 0; t <= 120; t += 10)
        {
            var decision = tracker.Observe(node, Lease(Build.Now.AddSeconds(t)), Build.Now.AddSeconds(t));
            Assert.Equal("True", decision.Ready);
        }
    }

    [Fact]
    public void Observe_Stale_ConditionsUnknownWithUpstreamMessageAndUnreachableTaints()
    {
        var tracker = new NodeHealthTracker();
        var node = Node();
        tracker.Observe(node, Lease(Build.Now), Build.Now);
        var later = Build.Now.AddSeconds(60);

        var decision = tracker.Observe(node, Lease(Build.Now), later);

        var ready = decision.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", later), (ready.Status, ready.Reason, ready.Message, ready.LastTransitionTime!.Value));
        Assert.Equal("Unknown", decision.Conditions.Single(c => c.Type == "MemoryPressure").Status);
        Assert.Equal("NodeStatusNeverUpdated", decision.Conditions.Single(c => c.Type == "DiskPressure").Reason);
        Assert.True(decision.TaintsChanged);
        Assert.Contains(decision.Taints, t => t.Key == NodeTaintKeys.Unreachable && t.Effect == "NoSchedule" && t.TimeAdded is null);
        Assert.Contains(decision.Taints, t => t.Key == NodeTaintKeys.Unreachable && t.Effect == "NoExecute" && t.TimeAdded == later);
    }

    [Fact]
    public void Observe_NodeRecovers_ManagedTaintsRemovedOthersKept()
    {
        var tracker = new NodeHealthTracker();
        var taints = new List<V1Taint>
        {
            new() { Key = NodeTaintKeys.Unreachable, Effect = "NoExecute", TimeAdded = Build.Now },
            new() { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" },
        };

        var decision = tracker.Observe(Node(taints: taints), Lease(Build.Now), Build.Now);

        Assert.True(decision.TaintsChanged);
        Assert.Equal("dedicated", Assert.Single(decision.Taints).Key);
    }

    [Theory]
    [InlineData("False", false, NodeTaintKeys.NotReady)]
    [InlineData("True", true, NodeTaintKeys.Unschedulable)]
    public void Observe_ConditionOrCordon_AddsMatchingTaint(string ready, bool unschedulable, string key)
    {
        var decision = new NodeHealthTracker().Observe(Node(ready, unschedulable: unschedulable), null, Build.Now);

        Assert.Contains(decision.Taints, t => t.Key == key && t.Effect == "NoSchedule");
    }

    [Fact]
    public void Observe_NotReadyTaintAlreadyPresent_KeepsTimeAddedAndReportsNoChange()
    {
        var taints = new List<V1Taint>
        {
            new() { Key = NodeTaintKeys.NotReady, Effect = "NoSchedule" },
            new() { Key = NodeTaintKeys.NotReady, Effect = "NoExecute", TimeAdded = Build.Now.AddMinutes(-3) },
        };

        var decision = new NodeHealthTracker().Observe(Node("False", taints: taints), null, Build.Now);

        Assert.False(decision.TaintsChanged);
        Assert.Equal(Build.Now.AddMinutes(-3), decision.Taints.Single(t => t.Effect == "NoExecute").TimeAdded);
    }
}
