using k8s.Models;
using Stevedore.Controllers.ReplicaSet;

namespace Stevedore.Controllers.Tests.ReplicaSet;

public class ReplicaSetLogicTests
{
    private static V1OwnerReference Ours => Build.OwnerRef("ReplicaSet", "web", "uid-web");

    [Theory]
    [InlineData(3, 1, 2, 0)]
    [InlineData(3, 3, 0, 0)]
    [InlineData(1, 3, 0, 2)]
    [InlineData(0, 2, 0, 2)]
    [InlineData(600, 0, 500, 0)]
    public void Decide_ReplicasVersusPods_CreatesOrDeletesDifferenceUpToBurst(int replicas, int pods, int creates, int deletes)
    {
        var rs = Build.ReplicaSet(replicas: replicas);
        var owned = Enumerable.Range(0, pods).Select(i => Build.Pod($"p{i}", owner: Ours)).ToList();

        var decision = ReplicaSetLogic.Decide(rs, owned, expectationsSatisfied: true, Build.Now);

        Assert.Equal(creates, decision.PodsToCreate);
        Assert.Equal(deletes, decision.PodsToDelete.Count);
        Assert.Equal(creates > 0, decision.PodTemplate is not null);
    }

    [Fact]
    public void Decide_ExpectationsPending_DoesNothingButStatus()
    {
        var decision = ReplicaSetLogic.Decide(Build.ReplicaSet(replicas: 3), [], expectationsSatisfied: false, Build.Now);

        Assert.Equal(0, decision.PodsToCreate);
        Assert.Empty(decision.PodsToDelete);
        Assert.Equal(0, decision.Status.Replicas);
    }

    [Fact]
    public void Decide_ReplicaSetBeingDeleted_CreatesNothing()
    {
        var rs = Build.ReplicaSet(replicas: 3);
        rs.Metadata.DeletionTimestamp = Build.Now;

        Assert.Equal(0, ReplicaSetLogic.Decide(rs, [], true, Build.Now).PodsToCreate);
    }

    [Theory]
    [InlineData("Failed", false)]
    [InlineData("Succeeded", false)]
    [InlineData("Running", true)]
    public void Decide_InactivePods_NotCountedAndReplaced(string phase, bool deleting)
    {
        var rs = Build.ReplicaSet(replicas: 1);
        var pod = Build.Pod("p", phase: phase, owner: Ours, deleting: deleting ? Build.Now : null);

        var decision = ReplicaSetLogic.Decide(rs, [pod], true, Build.Now);

        Assert.Equal(1, decision.PodsToCreate);
        Assert.Equal(0, decision.Status.Replicas);
    }

    [Fact]
    public void Decide_MatchingOrphan_AdoptedAndCounted()
    {
        var decision = ReplicaSetLogic.Decide(Build.ReplicaSet(replicas: 1), [Build.Pod("orphan")], true, Build.Now);

        Assert.Single(decision.Claim.ToAdopt);
        Assert.Equal(0, decision.PodsToCreate);
        Assert.Equal(1, decision.Status.Replicas);
    }

    [Fact]
    public void NewPod_FromTemplate_HasGenerateNameLabelsAndControllerRef()
    {
        var rs = Build.ReplicaSet();
        rs.Spec.Template.Metadata.Annotations = new Dictionary<string, string> { ["a"] = "b" };

        var pod = ReplicaSetLogic.NewPod(rs);

        Assert.Equal("web-", pod.Metadata.GenerateName);
        Assert.Equal("default", pod.Metadata.NamespaceProperty);
        Assert.Equal("web", pod.Metadata.Labels["app"]);
        Assert.Equal("b", pod.Metadata.Annotations["a"]);
        var owner = Assert.Single(pod.Metadata.OwnerReferences);
        Assert.Equal(("apps/v1", "ReplicaSet", "web", "uid-web", true, true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
        Assert.NotSame(rs.Spec.Template.Spec, pod.Spec);
    }

    [Theory]
    [InlineData(0, 30, 3, 3)]
    [InlineData(10, 30, 3, 3)]
    [InlineData(60, 30, 3, 0)]
    public void ComputeStatus_MinReadySeconds_CountsOnlyPodsReadyLongEnough(int minReadySeconds, int readyForSeconds, int ready, int available)
    {
        var rs = Build.ReplicaSet(replicas: 3, minReadySeconds: minReadySeconds, generation: 7);
        var pods = Enumerable.Range(0, 3).Select(i => Build.Pod($"p{i}", owner: Ours, readySince: Build.Now.AddSeconds(-readyForSeconds))).ToList();

        var status = ReplicaSetLogic.ComputeStatus(rs, pods, null, Build.Now);

        Assert.Equal(3, status.Replicas);
        Assert.Equal(ready, status.ReadyReplicas);
        Assert.Equal(available, status.AvailableReplicas);
        Assert.Equal(7, status.ObservedGeneration);
    }

    [Fact]
    public void ComputeStatus_PodMissingTemplateLabel_NotFullyLabeled()
    {
        var rs = Build.ReplicaSet();
        rs.Spec.Template.Metadata.Labels["tier"] = "front";
        var pods = new[]
        {
            Build.Pod("a", labels: new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" }),
            Build.Pod("b"),
        };

        Assert.Equal(1, ReplicaSetLogic.ComputeStatus(rs, pods, null, Build.Now).FullyLabeledReplicas);
    }

    [Theory]
    [InlineData(3, 1, "FailedCreate")]
    [InlineData(1, 3, "FailedDelete")]
    public void ComputeStatus_ManageError_SetsReplicaFailure(int replicas, int pods, string reason)
    {
        var rs = Build.ReplicaSet(replicas: replicas);
        var owned = Enumerable.Range(0, pods).Select(i => Build.Pod($"p{i}")).ToList();

        var status = ReplicaSetLogic.ComputeStatus(rs, owned, "pods \"web-x\" is forbidden: exceeded quota", Build.Now);

        var condition = Assert.Single(status.Conditions);
        Assert.Equal(("ReplicaFailure", "True", reason), (condition.Type, condition.Status, condition.Reason));
        Assert.Equal("pods \"web-x\" is forbidden: exceeded quota", condition.Message);
    }

    [Fact]
    public void ComputeStatus_CleanSyncAfterFailure_RemovesReplicaFailure()
    {
        var rs = Build.ReplicaSet();
        rs.Status.Conditions = [new V1ReplicaSetCondition { Type = "ReplicaFailure", Status = "True", Reason = "FailedCreate" }];

        Assert.Null(ReplicaSetLogic.ComputeStatus(rs, [], null, Build.Now).Conditions);
    }

    [Fact]
    public void Decide_ReadyButNotYetAvailable_RequeuesAfterMinReadySeconds()
    {
        var rs = Build.ReplicaSet(replicas: 1, minReadySeconds: 30);
        var decision = ReplicaSetLogic.Decide(rs, [Build.Pod("p", owner: Ours, readySince: Build.Now.AddSeconds(-5))], true, Build.Now);

        Assert.Equal(TimeSpan.FromSeconds(30), decision.RequeueAfter);
    }

    [Fact]
    public void Decide_StatusUnchanged_ReportsNoChange()
    {
        var rs = Build.ReplicaSet(replicas: 1);
        var pods = new[] { Build.Pod("p", owner: Ours) };
        rs.Status = ReplicaSetLogic.ComputeStatus(rs, pods, null, Build.Now);

        Assert.False(ReplicaSetLogic.Decide(rs, pods, true, Build.Now).StatusChanged);
    }

    [Theory]
    [InlineData(0, new int[0])]
    [InlineData(1, new[] { 1 })]
    [InlineData(6, new[] { 1, 2, 3 })]
    [InlineData(10, new[] { 1, 2, 4, 3 })]
    public void SlowStartBatches_Count_DoublesFromOne(int count, int[] expected) =>
        Assert.Equal(expected, ReplicaSetLogic.SlowStartBatches(count));
}
