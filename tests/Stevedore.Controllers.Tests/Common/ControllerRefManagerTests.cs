using System.Text.Json.Nodes;
using k8s.Models;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.Tests.Common;

public class ControllerRefManagerTests
{
    private static readonly V1ObjectMeta Owner = new() { Name = "web", NamespaceProperty = "default", Uid = "owner" };
    private static readonly V1LabelSelector Selector = new() { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } };

    public static TheoryData<string, V1Pod, string> Cases => new()
    {
        { "ours and matching", Build.Pod("a", owner: Build.OwnerRef("ReplicaSet", "web", "owner")), "owned" },
        { "orphan matching", Build.Pod("b"), "adopt" },
        { "orphan not matching", Build.Pod("c", labels: new Dictionary<string, string> { ["app"] = "db" }), "ignored" },
        { "ours not matching", Build.Pod("d", labels: new Dictionary<string, string> { ["app"] = "db" }, owner: Build.OwnerRef("ReplicaSet", "web", "owner")), "release" },
        { "someone else's", Build.Pod("e", owner: Build.OwnerRef("ReplicaSet", "other", "other")), "ignored" },
        { "orphan being deleted", Build.Pod("f", deleting: Build.Now), "ignored" },
        { "orphan in other namespace", Build.Pod("g", ns: "other"), "ignored" },
        { "non-controller owner only", Build.Pod("h", owner: Build.OwnerRef("ReplicaSet", "web", "x", controller: false)), "adopt" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Claim_Child_Classified(string description, V1Pod pod, string expected)
    {
        var plan = ControllerRefManager.Claim(Owner, Selector, [pod]);

        var actual = plan.Owned.Count == 1 ? "owned" : plan.ToAdopt.Count == 1 ? "adopt" : plan.ToRelease.Count == 1 ? "release" : "ignored";
        Assert.True(expected == actual, $"{description}: expected {expected}, got {actual}");
    }

    [Fact]
    public void Claim_OwnerBeingDeleted_NeitherAdoptsNorReleases()
    {
        var deleting = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = "owner", DeletionTimestamp = Build.Now };
        var plan = ControllerRefManager.Claim(deleting, Selector, [
            Build.Pod("orphan"),
            Build.Pod("stray", labels: new Dictionary<string, string> { ["app"] = "db" }, owner: Build.OwnerRef("ReplicaSet", "web", "owner")),
        ]);

        Assert.Empty(plan.ToAdopt);
        Assert.Empty(plan.ToRelease);
    }

    [Fact]
    public void ReleasePatch_NamesOwnerAndChildUid()
    {
        var patch = JsonNode.Parse(ControllerRefManager.ReleasePatch("child", "owner"))!;

        Assert.Equal("delete", (string?)patch["metadata"]!["ownerReferences"]![0]!["$patch"]);
        Assert.Equal("owner", (string?)patch["metadata"]!["ownerReferences"]![0]!["uid"]);
        Assert.Equal("child", (string?)patch["metadata"]!["uid"]);
    }

    [Fact]
    public void AdoptPatch_CarriesControllerAndBlockOwnerDeletion()
    {
        var reference = ControllerRef.For("apps/v1", "ReplicaSet", Owner);
        var patch = JsonNode.Parse(ControllerRefManager.AdoptPatch("child", reference))!;

        var added = patch["metadata"]!["ownerReferences"]![0]!;
        Assert.True((bool?)added["controller"]);
        Assert.True((bool?)added["blockOwnerDeletion"]);
        Assert.Equal("ReplicaSet", (string?)added["kind"]);
    }
}
