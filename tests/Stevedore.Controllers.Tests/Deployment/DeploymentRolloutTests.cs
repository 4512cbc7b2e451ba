using Stevedore.Controllers.Deployment;

namespace Stevedore.Controllers.Tests.Deployment;

public class DeploymentRolloutTests
{
    [Fact]
    public void Decide_NewDeployment_CreatesHashedReplicaSetWithRevisionOne()
    {
        var cluster = new FakeDeploymentCluster(Build.Deployment(replicas: 3));

        var decision = cluster.Sync();

        var create = Assert.IsType<CreateReplicaSet>(Assert.Single(decision.Actions));
        var rs = create.ReplicaSet;
        var hash = rs.Metadata.Labels["pod-template-hash"];
        Assert.Equal($"web-{hash}", rs.Metadata.Name);
        Assert.Equal(DeploymentLogic.NewReplicaSetName(cluster.Deployment), rs.Metadata.Name);
        Assert.Equal(hash, rs.Spec.Selector.MatchLabels["pod-template-hash"]);
        Assert.Equal(hash, rs.Spec.Template.Metadata.Labels["pod-template-hash"]);
        Assert.Equal(3, rs.Spec.Replicas);
        Assert.Equal("1", rs.Metadata.Annotations[DeploymentAnnotations.Revision]);
        Assert.Equal("3", rs.Metadata.Annotations[DeploymentAnnotations.DesiredReplicas]);
        Assert.Equal("4", rs.Metadata.Annotations[DeploymentAnnotations.MaxReplicas]);
        Assert.True(rs.Metadata.OwnerReferences[0].Controller);
        Assert.Equal("1", decision.Revision);
        var progressing = DeploymentConditions.Get(decision.Status, "Progressing")!;
        Assert.Equal(("True", "NewReplicaSetCreated", $"Created new replica set \"{rs.Metadata.Name}\""), (progressing.Status, progressing.Reason, progressing.Message));
        Assert.Contains(decision.Events, e => e.Message == $"Scaled up replica set {rs.Metadata.Name} from 0 to 3");
    }

    [Fact]
    public void RunToQuiescence_NewDeployment_CompleteAndAvailable()
    {
        var cluster = new FakeDeploymentCluster(Build.Deployment(replicas: 3));

        cluster.RunToQuiescence();

        var status = cluster.Deployment.Status;
        var rs = Assert.Single(cluster.Sets);
        Assert.Equal((3, 3, 3, 3, 0), (status.Replicas, status.UpdatedReplicas, status.ReadyReplicas, status.AvailableReplicas, status.UnavailableReplicas));
        Assert.Equal(1, status.ObservedGeneration);
        var progressing = DeploymentConditions.Get(status, "Progressing")!;
        Assert.Equal(("True", "NewReplicaSetAvailable", $"ReplicaSet \"{rs.Metadata.Name}\" has successfully progressed."), (progressing.Status, progressing.Reason, progressing.Message));
        var available = DeploymentConditions.Get(status, "Available")!;
        Assert.Equal(("True", "MinimumReplicasAvailable", "Deployment has minimum availability."), (available.Status, available.Reason, available.Message));
    }

    [Theory]
    [InlineData(3, "25%", "25%")]
    [InlineData(10, "3", "2")]
    [InlineData(5, "0", "1")]
    [InlineData(4, "100%", "0")]
    public void RunToQuiescence_ImageChange_RollsWithinSurgeAndUnavailableBounds(int replicas, string surge, string unavailable)
    {
        var cluster = new FakeDeploymentCluster(Build.Deployment(replicas: replicas, maxSurge: surge, maxUnavailable: unavailable));
        cluster.RunToQuiescence();
        var (maxSurge, maxUnavailable) = RolloutMath.ResolveFenceposts(surge, unavailable, replicas);

        cluster.ChangeSpec(s => s.Template.Spec.Containers[0].Image = "busybox:2");
        cluster.RunToQuiescence(c =>
        {
            Assert.InRange(RolloutMath.SpecReplicas(c.Sets), 0, replicas + maxSurge);
            Assert.InRange(RolloutMath.AvailableReplicas(c.Sets), replicas - maxUnavailable, int.MaxValue);
        });

        var newSet = cluster.ByImage("busybox:2");
        var oldSet = cluster.ByImage("busybox:1");
        Assert.Equal((replicas, 0), (newSet.Spec.Replicas, oldSet.Spec.Replicas));
        Assert.Equal(("2", "1"), (cluster.Revision(newSet), cluster.Revision(oldSet)));
        Assert.Equal("2", cluster.Deployment.Metadata.Annotations[DeploymentAnnotations.Revision]);
        Assert.Equal(replicas, cluster.Deployment.Status.UpdatedReplicas);
    }

    [Fact]
    public void RunToQuiescence_UndoToFirstTemplate_ReusesReplicaSetAsRevisionThree()
    {
        var cluster = new FakeDeploymentCluster(Build.Deployment(replicas: 3));
        cluster.RunToQuiescence();
        var first = cluster.Sets.Single().Metadata.Name;
        cluster.ChangeSpec(s => s.Template.Spec.Containers[0].Image = "busybox:2");
        cluster.RunToQuiescence();

        cluster.ChangeSpec(s => s.Template = Build.PodTemplate("busybox:1"));
        cluster.RunToQuiescence();

        Assert.Equal(2, cluster.Sets.Count);
        var reused = cluster.ByImage("busybox:1");
        Assert.Equal(first, reused.Metadata.Name);
        Assert.Equal("3", cluster.Revision(reused));
        Assert.Equal("1", reused.Metadata.Annotations[DeploymentAnnotations.RevisionHistory]);
        Assert.Equal(3, reused.Spec.Replicas);
        Assert.Equal(0, cluster.ByImage("busybox:2").Spec.Replicas);
        Assert.Equal("3", cluster.Deployment.Metadata.Annotations[DeploymentAnnotations.Revision]);
    }

    [Fact]
    public void RunToQuiescence_ScaleUp_SingleReplicaSetTakesAll()
    {
        var cluster = new FakeDeploymentCluster(Build.Deployment(replicas: 3));
        cluster.RunToQuiescence();

        cluster.ChangeSpec(s => s.Replicas = 5);
        cluster.RunToQuiescence();

        var rs = Assert.Single(cluster.Sets);
        Assert.Equal(5, rs.Spec.Replicas);
        Assert.Equal("5", rs.Metadata.Annotations[DeploymentAnnotations.DesiredReplicas]);
        Assert.Equal(5, cluster.Deployment.Status.AvailableReplicas);
        Assert.Contains(cluster.Events, e => e.Message == $"Scaled up replica set {rs.Metadata.Name} from 3 to 5");
    }

    [Fact]
    public void Sync_ScaleMidRollout_SpreadsProportionally()
    {
        // Upstream's documented example: 10 replicas, maxSurge 3, maxUnavailable 2, a rollout stuck with
        // 8 old and 5 new pods; scaling to 15 adds 3 to the old and 2 to the new ReplicaSet.
        var cluster = new FakeDeploymentCluster(Build.Deployment(replicas: 10, maxSurge: "3", maxUnavailable: "2"));
        cluster.RunToQuiescence();
        cluster.PodsBecomeAvailable = rs => rs.Spec.Template.Spec.Containers[0].Image == "busybox:1";
        cluster.ChangeSpec(s => s.Template.Spec.Containers[0].Image = "busybox:2");
        cluster.RunToQuiescence();
        Assert.Equal((8, 5), (cluster.ByImage("busybox:1").Spec.Replicas, cluster.ByImage("busybox:2").Spec.Replicas));

        cluster.ChangeSpec(s => s.Replicas = 15);
        cluster.Sync();

        Assert.Equal((11, 7), (cluster.ByImage("busybox:1").Spec.Replicas, cluster.ByImage("busybox:2").Spec.Replicas));
        Assert.All(cluster.Sets, rs => Assert.Equal("18", rs.Metadata.Annotations[DeploymentAnnotations.MaxReplicas]));
    }

    [Fact]
    public void Sync_OldReplicaSetStatusLagsBehindScaleDown_NeverScalesOldUp()
    {
        // Seen end to end: the ReplicaSet controller had not yet removed the pods of an old ReplicaSet
        // scaled from 4 to 2, so its status still said 4 available; "cleaning up unhealthy replicas"
        // computed a negative count and scaled the old ReplicaSet back up to 4. Upstream refuses that
        // sync ("got invalid request to scale down ... 2 -> 4") and waits for the status to catch up.
        var cluster = new FakeDeploymentCluster(Build.Deployment(replicas: 5));
        cluster.RunToQuiescence();
        cluster.ChangeSpec(s => s.Template.Spec.Containers[0].Image = "busybox:2");
        for (var step = 0; step < 20 && !(cluster.Sets.Count == 2 && cluster.ByImage("busybox:2").Spec.Replicas == 5 && cluster.ByImage("busybox:1").Spec.Replicas > 0); step++)
        {
            cluster.Sync();
            cluster.Settle();
        }

        var old = cluster.ByImage("busybox:1");
        var oldReplicas = old.Spec.Replicas!.Value;
        Assert.InRange(oldReplicas, 1, 2);
        old.Status.Replicas = oldReplicas + 2;
        old.Status.AvailableReplicas = oldReplicas + 2;
        old.Status.ReadyReplicas = oldReplicas + 2;
        cluster.Events.Clear();

        var decision = cluster.Sync();

        Assert.DoesNotContain(decision.Actions, a => a is UpdateReplicaSet u && u.ReplicaSet.Metadata.Uid == old.Metadata.Uid && u.ReplicaSet.Spec.Replicas > oldReplicas);
        Assert.DoesNotContain(cluster.Events, e => e.Message.StartsWith($"Scaled up replica set {old.Metadata.Name}", StringComparison.Ordinal));
        Assert.Equal(oldReplicas, cluster.ByImage("busybox:1").Spec.Replicas);

        // Once the ReplicaSet controller catches up, the rollout finishes.
        cluster.RunToQuiescence();
        Assert.Equal((0, 5), (cluster.ByImage("busybox:1").Spec.Replicas, cluster.ByImage("busybox:2").Spec.Replicas));
    }

    [Fact]
    public void Sync_NewPodsNeverAvailable_OldKeptAboveMinimum()
    {
        var cluster = new FakeDeploymentCluster(Build.Deployment(replicas: 4, maxSurge: "1", maxUnavailable: "1"));
        cluster.RunToQuiescence();
        cluster.PodsBecomeAvailable = rs => rs.Spec.Template.Spec.Containers[0].Image == "busybox:1";

        cluster.ChangeSpec(s => s.Template.Spec.Containers[0].Image = "busybox:2");
        cluster.RunToQuiescence();

        Assert.Equal(3, cluster.ByImage("busybox:1").Spec.Replicas);
        Assert.Equal(2, cluster.ByImage("busybox:2").Spec.Replicas);
        Assert.Equal(3, cluster.Deployment.Status.AvailableReplicas);
        Assert.Equal(2, cluster.Deployment.Status.UnavailableReplicas);
    }

    [Fact]
    public void Sync_NoProgressPastDeadline_ProgressDeadlineExceeded()
    {
        var cluster = new FakeDeploymentCluster(Build.Deployment(replicas: 2, progressDeadlineSeconds: 60));
        cluster.PodsBecomeAvailable = _ => false;
        cluster.RunToQuiescence();
        var name = cluster.Sets.Single().Metadata.Name;

        var before = cluster.Sync();
        Assert.NotNull(before.RequeueAfter);
        Assert.InRange(before.RequeueAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

        cluster.Now = cluster.Now.AddSeconds(61);
        var decision = cluster.Sync();

        var progressing = DeploymentConditions.Get(decision.Status, "Progressing")!;
        Assert.Equal(("False", "ProgressDeadlineExceeded", $"ReplicaSet \"{name}\" has timed out progressing."), (progressing.Status, progressing.Reason, progressing.Message));
        var available = DeploymentConditions.Get(decision.Status, "Available")!;
        Assert.Equal(("False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."), (available.Status, available.Reason, available.Message));
    }

    [Fact]
    public void Sync_NoProgressDeadline_NoProgressingCondition()
    {
        var cluster = new FakeDeploymentCluster(Build.Deployment(progressDeadlineSeconds: null));

        cluster.RunToQuiescence();

        Assert.Null(DeploymentConditions.Get(cluster.Deployment.Status, "Progressing"));
        Assert.NotNull(DeploymentConditions.Get(cluster.Deployment.Status, "Available"));
    }

    [Fact]
    public void RunToQuiescence_RevisionHistoryLimit_DeletesOldestScaledDownReplicaSets()
    {
        var cluster = new FakeDeploymentCluster(Build.Deployment(replicas: 2, revisionHistoryLimit: 1));
        foreach (var image in new[] { "busybox:1", "busybox:2", "busybox:3", "busybox:4" })
        {
            cluster.ChangeSpec(s => s.Template.Spec.Containers[0].Image = image);
            cluster.RunToQuiescence();
        }

        Assert.Equal(["busybox:3", "busybox:4"], cluster.Sets.Select(s => s.Spec.Template.Spec.Containers[0].Image).Order());
        Assert.Equal("4", cluster.Revision(cluster.ByImage("busybox:4")));
    }

    [Fact]
    public void Sync_Recreate_ScalesOldToZeroBeforeCreatingNew()
    {
        var cluster = new FakeDeploymentCluster(Build.Deployment(replicas: 3, strategy: "Recreate"));
        cluster.RunToQuiescence();
        cluster.ChangeSpec(s => s.Template.Spec.Containers[0].Image = "busybox:2");

        var first = cluster.Sync();

        var update = Assert.IsType<UpdateReplicaSet>(Assert.Single(first.Actions));
        Assert.Equal(0, update.ReplicaSet.Spec.Replicas);

        // The old pods are still reported running until the ReplicaSet controller catches up.
        Assert.Empty(cluster.Sync().Actions.OfType<CreateReplicaSet>());
        cluster.Settle();
        var second = cluster.Sync();
        var created = Assert.IsType<CreateReplicaSet>(Assert.Single(second.Actions));
        Assert.Equal(3, created.ReplicaSet.Spec.Replicas);
    }

    [Fact]
    public void Sync_Paused_TemplateChangeCreatesNothingAndMarksPaused()
    {
        var cluster = new FakeDeploymentCluster(Build.Deployment(replicas: 3));
        cluster.RunToQuiescence();
        cluster.ChangeSpec(s =>
        {
            s.Paused = true;
            s.Template.Spec.Containers[0].Image = "busybox:2";
        });

        var decision = cluster.Sync();

        Assert.Empty(decision.Actions);
        var progressing = DeploymentConditions.Get(decision.Status, "Progressing")!;
        Assert.Equal(("Unknown", "DeploymentPaused", "Deployment is paused"), (progressing.Status, progressing.Reason, progressing.Message));

        cluster.ChangeSpec(s => s.Paused = false);
        var resumed = cluster.Sync();
        Assert.Single(resumed.Actions.OfType<CreateReplicaSet>());
        cluster.RunToQuiescence();
        Assert.Equal(3, cluster.ByImage("busybox:2").Spec.Replicas);
    }

    [Fact]
    public void Sync_EmptySelector_OnlyWarns()
    {
        var d = Build.Deployment();
        d.Spec.Selector = new k8s.Models.V1LabelSelector();

        var decision = DeploymentLogic.Decide(d, [], [], Build.Now);

        Assert.Empty(decision.Actions);
        Assert.Equal("SelectingAll", Assert.Single(decision.Events).Reason);
    }

    [Fact]
    public void Sync_MatchingOrphanReplicaSet_Adopted()
    {
        var cluster = new FakeDeploymentCluster(Build.Deployment(replicas: 3));
        cluster.RunToQuiescence();
        var rs = cluster.Sets.Single();
        rs.Metadata.OwnerReferences = null;

        var decision = DeploymentLogic.Decide(cluster.Deployment, cluster.Sets, [], cluster.Now);

        Assert.IsType<AdoptReplicaSet>(Assert.Single(decision.Actions));
    }

    [Fact]
    public void ResolveCreateConflict_ForeignReplicaSet_IncrementsCollisionCount()
    {
        var d = Build.Deployment();
        var foreign = Build.ReplicaSet(DeploymentLogic.NewReplicaSetName(d));

        var status = DeploymentLogic.ResolveCreateConflict(d, foreign);

        Assert.Equal(1, status!.CollisionCount);
        d.Status = status;
        Assert.NotEqual(foreign.Metadata.Name, DeploymentLogic.NewReplicaSetName(d));
    }

    [Fact]
    public void ResolveCreateConflict_OwnReplicaSetSameTemplate_JustRequeues()
    {
        var cluster = new FakeDeploymentCluster(Build.Deployment());
        cluster.Sync();

        Assert.Null(DeploymentLogic.ResolveCreateConflict(cluster.Deployment, cluster.Sets.Single()));
    }

    [Fact]
    public void FailedCreateStatus_WithDeadline_ProgressingFalse()
    {
        var (status, evt) = DeploymentLogic.FailedCreateStatus(Build.Deployment(), "web-abc", "quota exceeded", Build.Now);

        var progressing = DeploymentConditions.Get(status, "Progressing")!;
        Assert.Equal(("False", "ReplicaSetCreateError", "Failed to create new replica set \"web-abc\": quota exceeded"), (progressing.Status, progressing.Reason, progressing.Message));
        Assert.Equal("Warning", evt.Type);
    }

    [Fact]
    public void Decide_DoesNotMutateInputs()
    {
        var cluster = new FakeDeploymentCluster(Build.Deployment(replicas: 3));
        cluster.RunToQuiescence();
        cluster.ChangeSpec(s => s.Template.Spec.Containers[0].Image = "busybox:2");
        var before = k8s.KubernetesJson.Serialize(cluster.Sets) + k8s.KubernetesJson.Serialize(cluster.Deployment);

        DeploymentLogic.Decide(cluster.Deployment, cluster.Sets, [], cluster.Now);

        Assert.Equal(before, k8s.KubernetesJson.Serialize(cluster.Sets) + k8s.KubernetesJson.Serialize(cluster.Deployment));
    }
}
