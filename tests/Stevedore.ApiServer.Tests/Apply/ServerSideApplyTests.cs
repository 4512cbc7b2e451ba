using System.Text.Json.Nodes;
using k8s.Models;
using Stevedore.ApiServer.Apply;
using Stevedore.ApiServer.Patch;
using static Stevedore.ApiServer.Tests.Apply.Objects;

namespace Stevedore.ApiServer.Tests.Apply;

public class ServerSideApplyTests
{
    private static readonly Type DeploymentType = typeof(V1Deployment);

    private static ApplyOutcome Apply(JsonObject? live, JsonObject applied, string manager, bool force = false, DateTimeOffset? now = null) =>
        ServerSideApply.Apply(live, applied, manager, force, DeploymentType, now ?? T0);

    [Fact]
    public void Apply_FirstApply_RecordsOwnershipInFieldsV1()
    {
        var applied = Deployment("""{"replicas":2,"template":{"spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80}]}]}}}""", """{"app":"web"}""");

        var outcome = Apply(null, applied, "kubectl");

        var result = Applied(outcome);
        Assert.True(outcome.Changed);
        var expected = JsonNode.Parse("""
            [{"manager":"kubectl","operation":"Apply","apiVersion":"apps/v1","time":"2026-01-02T03:04:05Z","fieldsType":"FieldsV1",
              "fieldsV1":{"f:metadata":{"f:labels":{"f:app":{}}},
                          "f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{},"f:name":{},
                            "f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}}]
            """);
        Assert.True(JsonNode.DeepEquals(expected, ManagedFields(result)), ManagedFields(result).ToJsonString());
        Assert.Equal(2, (int)result["spec"]!["replicas"]!);
        Assert.Null(applied["metadata"]!["managedFields"]);
    }

    [Fact]
    public void Apply_SameConfigAgain_ChangesNothing()
    {
        var config = Deployment("""{"replicas":2}""", """{"app":"web"}""");
        var first = Applied(Apply(null, config, "kubectl"));

        var again = Apply(first, config, "kubectl", now: T1);

        Assert.False(again.Changed);
        Assert.True(JsonNode.DeepEquals(first, again.Object), again.Object!.ToJsonString());
    }

    [Fact]
    public void Apply_OtherManagerChangesOwnedField_ReportsConflict()
    {
        var live = Applied(Apply(null, Deployment("""{"replicas":2}"""), "m1"));

        var outcome = Apply(live, Deployment("""{"replicas":3}"""), "m2");

        Assert.False(outcome.Succeeded);
        Assert.Null(outcome.Object);
        var conflict = Assert.Single(outcome.Conflicts);
        Assert.Equal("m1", conflict.Manager);
        Assert.Equal(".spec.replicas", conflict.Path);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"m1\": .spec.replicas", outcome.ConflictMessage);
    }

    [Fact]
    public void Apply_Forced_MovesOwnershipToApplier()
    {
        var live = Applied(Apply(null, Deployment("""{"replicas":2,"minReadySeconds":5}"""), "m1"));

        var result = Applied(Apply(live, Deployment("""{"replicas":3}"""), "m2", force: true, now: T1));

        Assert.Equal(3, (int)result["spec"]!["replicas"]!);
        Assert.Equal([".spec.replicas"], Owned(result, "m2"));
        Assert.Equal([".spec.minReadySeconds"], Owned(result, "m1"));
    }

    [Fact]
    public void Apply_SameValueAsOtherManager_SharesOwnership()
    {
        var live = Applied(Apply(null, Deployment("""{"replicas":2}"""), "m1"));

        var result = Applied(Apply(live, Deployment("""{"replicas":2}"""), "m2"));

        Assert.Contains(".spec.replicas", Owned(result, "m1"));
        Assert.Contains(".spec.replicas", Owned(result, "m2"));
    }

    [Fact]
    public void Apply_FieldOmittedNow_IsRemoved()
    {
        var live = Applied(Apply(null, Deployment("""{"replicas":2}""", """{"app":"web","tier":"front"}"""), "m1"));

        var result = Applied(Apply(live, Deployment("""{"replicas":2}""", """{"app":"web"}"""), "m1", now: T1));

        Assert.Null(result["metadata"]!["labels"]!["tier"]);
        Assert.DoesNotContain(".metadata.labels.tier", Owned(result, "m1"));
    }

    [Fact]
    public void Apply_FieldOmittedButOwnedByOther_IsKept()
    {
        var live = Applied(Apply(null, Deployment("""{"replicas":2}""", """{"app":"web","tier":"front"}"""), "m1"));
        live = Applied(Apply(live, Deployment("{}", """{"tier":"front"}"""), "m2"));

        var result = Applied(Apply(live, Deployment("""{"replicas":2}""", """{"app":"web"}"""), "m1", now: T1));

        Assert.Equal("front", (string?)result["metadata"]!["labels"]!["tier"]);
        Assert.DoesNotContain(".metadata.labels.tier", Owned(result, "m1"));
        Assert.Contains(".metadata.labels.tier", Owned(result, "m2"));
    }

    [Fact]
    public void Apply_ConflictWithUpdater_MessageNamesItsApiVersion()
    {
        var created = Deployment("""{"replicas":2}""");
        ManagedFieldsTracker.UpdateForWrite(null, created, "kubectl-client-side-apply", "Update", null, DeploymentType, T0);

        var outcome = Apply(created, Deployment("""{"replicas":3}"""), "kubectl");

        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas", outcome.ConflictMessage);
        Assert.Equal("conflict with \"kubectl-client-side-apply\" using apps/v1", Assert.Single(outcome.Conflicts).CauseMessage);
    }

    [Fact]
    public void Apply_SeveralConflicts_ListsEachPathUnderItsManager()
    {
        var live = Applied(Apply(null, Deployment("""{"replicas":2,"minReadySeconds":5}"""), "m1"));

        var outcome = Apply(live, Deployment("""{"replicas":3,"minReadySeconds":6}"""), "m2");

        Assert.Equal("Apply failed with 2 conflicts: conflicts with \"m1\":\n- .spec.minReadySeconds\n- .spec.replicas", outcome.ConflictMessage);
    }

    [Fact]
    public void Apply_MapListItemsFromTwoManagers_MergeByKey()
    {
        var live = Applied(Apply(null, Deployment("""{"template":{"spec":{"containers":[{"name":"a","image":"a:1"}]}}}"""), "m1"));

        var result = Applied(Apply(live, Deployment("""{"template":{"spec":{"containers":[{"name":"b","image":"b:1"}]}}}"""), "m2"));

        var names = result["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => (string?)c!["name"]).ToList();
        Assert.Equal(["a", "b"], names);
        Assert.Contains(".spec.template.spec.containers[name=\"b\"].image", Owned(result, "m2"));
        Assert.DoesNotContain(".spec.template.spec.containers[name=\"a\"]", Owned(result, "m2"));
    }

    [Fact]
    public void Apply_ContainerDroppedBySoleOwner_IsRemoved()
    {
        var live = Applied(Apply(null, Deployment("""{"template":{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}}"""), "m1"));

        var result = Applied(Apply(live, Deployment("""{"template":{"spec":{"containers":[{"name":"a"}]}}}"""), "m1", now: T1));

        Assert.Single(result["spec"]!["template"]!["spec"]!["containers"]!.AsArray());
    }

    [Fact]
    public void Apply_AtomicList_IsReplacedWholeAndOwnedAsOneField()
    {
        var live = Applied(Apply(null, Deployment("""{"template":{"spec":{"containers":[{"name":"a","args":["x","y"]}]}}}"""), "m1"));

        var result = Applied(Apply(live, Deployment("""{"template":{"spec":{"containers":[{"name":"a","args":["z"]}]}}}"""), "m1", now: T1));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["z"]"""), result["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]));
        Assert.Contains(".spec.template.spec.containers[name=\"a\"].args", Owned(result, "m1"));
    }

    [Fact]
    public void Apply_FinalizersSet_OwnsItemsByValue()
    {
        var result = Applied(Apply(null, Parse("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","finalizers":["a/b"]}}"""), "m1"));

        Assert.Equal([".metadata.finalizers[=\"a/b\"]"], Owned(result, "m1"));
    }

    [Fact]
    public void Apply_AtomicStructSelector_IsOwnedAndReplacedAsOneField()
    {
        var live = Applied(Apply(null, Deployment("""{"selector":{"matchLabels":{"app":"web","tier":"x"}}}"""), "m1"));

        var result = Applied(Apply(live, Deployment("""{"selector":{"matchLabels":{"app":"web"}}}"""), "m1", now: T1));

        Assert.Equal([".spec.selector"], Owned(result, "m1"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"matchLabels":{"app":"web"}}"""), result["spec"]!["selector"]));
    }

    [Fact]
    public void Apply_UntypedObject_TreatsListsAsAtomic()
    {
        var custom = """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"items":[{"name":"a"}]}}""";
        var live = Applied(ServerSideApply.Apply(null, Parse(custom), "m1", false, null, T0));

        var outcome = ServerSideApply.Apply(live, Parse(custom.Replace("\"a\"", "\"b\"", StringComparison.Ordinal)), "m2", false, null, T0);

        Assert.Equal([".spec.items"], Owned(live, "m1"));
        Assert.Equal(".spec.items", Assert.Single(outcome.Conflicts).Path);
    }

    [Fact]
    public void Apply_LiveWithoutManagedFields_GivesExistingFieldsToBeforeFirstApply()
    {
        var live = Deployment("""{"replicas":2,"paused":false}""");

        var result = Applied(Apply(live, Deployment("""{"replicas":2}"""), "kubectl"));

        Assert.Equal([".spec.paused", ".spec.replicas"], Owned(result, ServerSideApply.BeforeFirstApplyManager).Order(StringComparer.Ordinal));
        Assert.Equal([".spec.replicas"], Owned(result, "kubectl"));
    }

    [Fact]
    public void Apply_StatusInMainResourceConfig_IsIgnored()
    {
        var live = Applied(Apply(null, Deployment("""{"replicas":2}"""), "m1"));
        live["status"] = JsonNode.Parse("""{"replicas":1}""");
        var config = Deployment("""{"replicas":2}""");
        config["status"] = JsonNode.Parse("""{"replicas":7}""");

        var outcome = Apply(live, config, "m1", now: T1);

        Assert.False(outcome.Changed);
        Assert.Equal(1, (int)outcome.Object!["status"]!["replicas"]!);
    }

    [Theory]
    [InlineData("""{"kind":"Deployment","metadata":{"name":"x"}}""")]
    [InlineData("""{"apiVersion":"apps/v1","metadata":{"name":"x"}}""")]
    [InlineData("""{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}""")]
    public void Apply_InvalidConfig_ThrowsBadRequest(string config)
    {
        var error = Assert.Throws<PatchException>(() => Apply(null, Parse(config), "m1"));

        Assert.Equal(PatchFailure.BadRequest, error.Failure);
    }
}
