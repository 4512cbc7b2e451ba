using k8s.Models;
using Stevedore.Controllers.GarbageCollector;

namespace Stevedore.Controllers.Tests.GarbageCollector;

public class OwnerGraphTests
{
    private static GraphObject Obj(string uid, string kind = "Pod", bool deleting = false, string[]? finalizers = null, params V1OwnerReference[] owners) =>
        new(new ObjectIdentity(kind == "Pod" ? "v1" : "apps/v1", kind, "default", uid, uid), owners, deleting, finalizers ?? []);

    private static V1OwnerReference Ref(string uid, bool block = true) =>
        new() { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = uid, Uid = uid, Controller = true, BlockOwnerDeletion = block };

    [Fact]
    public void ObserveDeleted_Owner_DependentsDeletedInBackground()
    {
        var graph = new OwnerGraph();
        graph.Observe(Obj("rs", "ReplicaSet"));
        graph.Observe(Obj("p1", owners: Ref("rs")));
        graph.Observe(Obj("p2", owners: Ref("rs")));

        var work = graph.ObserveDeleted("rs");

        Assert.Equal(["p1", "p2"], work.AttemptToDelete.Order());
        var delete = Assert.IsType<DeleteObject>(Assert.Single(graph.AttemptToDelete("p1")));
        Assert.Equal(("p1", "Background"), (delete.Target.Uid, delete.PropagationPolicy));
    }

    [Fact]
    public void AttemptToDelete_OwnerAlive_KeepsObject()
    {
        var graph = new OwnerGraph();
        graph.Observe(Obj("rs", "ReplicaSet"));
        graph.Observe(Obj("p", owners: Ref("rs")));

        Assert.Empty(graph.AttemptToDelete("p"));
    }

    [Fact]
    public void AttemptToDelete_OneOfTwoOwnersGone_OnlyDropsDanglingReference()
    {
        var graph = new OwnerGraph();
        graph.Observe(Obj("a", "ReplicaSet"));
        graph.Observe(Obj("b", "ReplicaSet"));
        graph.Observe(Obj("p", owners: [Ref("a"), Ref("b")]));
        graph.ObserveDeleted("a");

        var patch = Assert.IsType<RemoveOwnerReferences>(Assert.Single(graph.AttemptToDelete("p")));
        Assert.Equal(["a"], patch.OwnerUids);
    }

    [Fact]
    public void AttemptToDelete_OwnerNeverSeen_AsksForVerificationThenDeletes()
    {
        var graph = new OwnerGraph();
        var work = graph.Observe(Obj("p", owners: Ref("ghost")));
        Assert.Equal(["p"], work.AttemptToDelete);

        var verify = Assert.IsType<VerifyOwners>(Assert.Single(graph.AttemptToDelete("p")));
        Assert.Equal("ghost", Assert.Single(verify.Owners).Uid);

        graph.ConfirmAbsent("ghost");
        Assert.IsType<DeleteObject>(Assert.Single(graph.AttemptToDelete("p")));
    }

    [Theory]
    [InlineData("orphan", "Orphan")]
    [InlineData("foregroundDeletion", "Foreground")]
    [InlineData("other", "Background")]
    public void AttemptToDelete_DependentFinalizers_ChoosePropagationPolicy(string finalizer, string policy)
    {
        var graph = new OwnerGraph();
        graph.Observe(Obj("rs", "ReplicaSet"));
        graph.Observe(Obj("p", finalizers: [finalizer], owners: Ref("rs")));
        graph.ObserveDeleted("rs");

        Assert.Equal(policy, Assert.IsType<DeleteObject>(Assert.Single(graph.AttemptToDelete("p"))).PropagationPolicy);
    }

    [Fact]
    public void Foreground_OwnerWaitsForBlockingDependents_ThenFinalizerRemoved()
    {
        var graph = new OwnerGraph();
        graph.Observe(Obj("d", "Deployment"));
        graph.Observe(Obj("rs", "ReplicaSet", owners: Ref("d")));
        graph.Observe(Obj("p", owners: Ref("rs")));

        var work = graph.Observe(Obj("d", "Deployment", deleting: true, finalizers: ["foregroundDeletion"]));
        Assert.Equal(["d", "rs"], work.AttemptToDelete.Order());

        var waiting = Assert.IsType<ProcessDependents>(Assert.Single(graph.AttemptToDelete("d")));
        Assert.Equal(["rs"], waiting.Uids);

        // The ReplicaSet has dependents of its own, so it is deleted in the foreground as well.
        var rsDelete = Assert.IsType<DeleteObject>(Assert.Single(graph.AttemptToDelete("rs")));
        Assert.Equal("Foreground", rsDelete.PropagationPolicy);
        graph.Observe(Obj("rs", "ReplicaSet", deleting: true, finalizers: ["foregroundDeletion"], owners: Ref("d")));
        Assert.Empty(graph.AttemptToDelete("d"));

        Assert.Equal("Background", Assert.IsType<DeleteObject>(Assert.Single(graph.AttemptToDelete("p"))).PropagationPolicy);
        Assert.Equal(["rs"], graph.ObserveDeleted("p").AttemptToDelete);
        Assert.Equal("foregroundDeletion", Assert.IsType<RemoveFinalizer>(Assert.Single(graph.AttemptToDelete("rs"))).Finalizer);
        Assert.Equal(["d"], graph.ObserveDeleted("rs").AttemptToDelete);
        Assert.Equal("foregroundDeletion", Assert.IsType<RemoveFinalizer>(Assert.Single(graph.AttemptToDelete("d"))).Finalizer);
    }

    [Fact]
    public void Foreground_DependentWithoutBlockOwnerDeletion_DoesNotBlock()
    {
        var graph = new OwnerGraph();
        graph.Observe(Obj("rs", "ReplicaSet"));
        graph.Observe(Obj("p", owners: Ref("rs", block: false)));
        graph.Observe(Obj("rs", "ReplicaSet", deleting: true, finalizers: ["foregroundDeletion"]));

        Assert.IsType<RemoveFinalizer>(Assert.Single(graph.AttemptToDelete("rs")));
        Assert.IsType<DeleteObject>(Assert.Single(graph.AttemptToDelete("p")));
    }

    [Fact]
    public void Foreground_DependentUnblocked_RequeuesOwner()
    {
        var graph = new OwnerGraph();
        graph.Observe(Obj("rs", "ReplicaSet"));
        graph.Observe(Obj("p", owners: Ref("rs")));
        graph.Observe(Obj("rs", "ReplicaSet", deleting: true, finalizers: ["foregroundDeletion"]));

        var work = graph.Observe(Obj("p", owners: Ref("rs", block: false)));

        Assert.Equal(["rs"], work.AttemptToDelete);
    }

    [Fact]
    public void Orphan_OwnerWithOrphanFinalizer_StripsReferencesThenFinalizer()
    {
        var graph = new OwnerGraph();
        graph.Observe(Obj("rs", "ReplicaSet"));
        graph.Observe(Obj("p1", owners: Ref("rs")));
        graph.Observe(Obj("p2", owners: Ref("rs")));

        var work = graph.Observe(Obj("rs", "ReplicaSet", deleting: true, finalizers: ["orphan"]));
        Assert.Equal(["rs"], work.AttemptToOrphan);

        var actions = graph.AttemptToOrphan("rs");

        Assert.Equal(3, actions.Count);
        Assert.All(actions.Take(2), a => Assert.Equal(["rs"], Assert.IsType<RemoveOwnerReferences>(a).OwnerUids));
        Assert.Equal(["p1", "p2"], actions.Take(2).Select(a => a.Target.Uid));
        Assert.Equal("orphan", Assert.IsType<RemoveFinalizer>(actions[2]).Finalizer);
        Assert.Empty(graph.AttemptToDelete("p1"));
    }

    [Fact]
    public void AttemptToDelete_NoOwners_Ignored()
    {
        var graph = new OwnerGraph();
        graph.Observe(Obj("p"));

        Assert.Empty(graph.AttemptToDelete("p"));
        Assert.Empty(graph.AttemptToDelete("unknown"));
    }

    [Fact]
    public void AttemptToDelete_OwnerDeletingInForeground_DependentWithoutChildrenDeletedInBackground()
    {
        var graph = new OwnerGraph();
        graph.Observe(Obj("rs", "ReplicaSet", deleting: true, finalizers: ["foregroundDeletion"]));
        graph.Observe(Obj("p", owners: Ref("rs")));

        Assert.Equal("Background", Assert.IsType<DeleteObject>(Assert.Single(graph.AttemptToDelete("p"))).PropagationPolicy);
    }
}
