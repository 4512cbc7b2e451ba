using System.Text.Json.Nodes;
using k8s.Models;
using Stevedore.ApiServer.Apply;
using static Stevedore.ApiServer.Tests.Apply.Objects;

namespace Stevedore.ApiServer.Tests.Apply;

public class ManagedFieldsTrackerTests
{
    private static readonly Type DeploymentType = typeof(V1Deployment);

    [Fact]
    public void UpdateForWrite_Create_OwnsEverythingButServerMetadataAndStatus()
    {
        var created = Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"web","namespace":"default","uid":"u","resourceVersion":"1","generation":1,"creationTimestamp":"2026-01-01T00:00:00Z","labels":{"app":"web"}},
             "spec":{"replicas":2},"status":{"replicas":0}}
            """);

        ManagedFieldsTracker.UpdateForWrite(null, created, "kubectl-create", "Update", null, DeploymentType, T0);

        var entry = Entry(created, "kubectl-create");
        Assert.Equal("Update", (string?)entry["operation"]);
        Assert.Equal("apps/v1", (string?)entry["apiVersion"]);
        Assert.Equal("2026-01-02T03:04:05Z", (string?)entry["time"]);
        Assert.Equal([".metadata.labels.app", ".spec.replicas"], Owned(created, "kubectl-create").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void UpdateForWrite_ChangedField_TakesItFromApplierWhoThenConflicts()
    {
        var live = Applied(ServerSideApply.Apply(null, Deployment("""{"replicas":2}""", """{"app":"web"}"""), "kubectl", false, DeploymentType, T0));
        var scaled = (JsonObject)live.DeepClone();
        scaled["spec"]!["replicas"] = 5;

        ManagedFieldsTracker.UpdateForWrite(live, scaled, "kubectl", "Update", "scale", DeploymentType, T1);

        Assert.Equal([".spec.replicas"], Scaler(scaled));
        Assert.DoesNotContain(".spec.replicas", ApplierPaths(scaled));
        var outcome = ServerSideApply.Apply(scaled, Deployment("""{"replicas":2}""", """{"app":"web"}"""), "kubectl", false, DeploymentType, T1);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" using apps/v1: .spec.replicas", outcome.ConflictMessage);
    }

    [Fact]
    public void UpdateForWrite_RemovedField_LeavesEveryManager()
    {
        var live = Applied(ServerSideApply.Apply(null, Deployment("""{"replicas":2,"paused":true}"""), "m1", false, DeploymentType, T0));
        var updated = (JsonObject)live.DeepClone();
        ((JsonObject)updated["spec"]!).Remove("paused");

        ManagedFieldsTracker.UpdateForWrite(live, updated, "editor", "Update", null, DeploymentType, T1);

        Assert.Equal([".spec.replicas"], Owned(updated, "m1"));
        Assert.DoesNotContain(ManagedFields(updated).OfType<JsonObject>(), e => (string?)e["manager"] == "editor");
    }

    [Fact]
    public void UpdateForWrite_NothingChanged_KeepsEntriesAndTimes()
    {
        var live = Deployment("""{"replicas":2}""");
        ManagedFieldsTracker.UpdateForWrite(null, live, "creator", "Update", null, DeploymentType, T0);
        var same = (JsonObject)live.DeepClone();

        ManagedFieldsTracker.UpdateForWrite(live, same, "other", "Update", null, DeploymentType, T1);

        Assert.True(JsonNode.DeepEquals(live, same), same.ToJsonString());
    }

    [Fact]
    public void UpdateForWrite_EmptyManagedFieldsSent_ResetsTracking()
    {
        var live = Deployment("""{"replicas":2}""");
        ManagedFieldsTracker.UpdateForWrite(null, live, "creator", "Update", null, DeploymentType, T0);
        var reset = (JsonObject)live.DeepClone();
        reset["metadata"]!["managedFields"] = new JsonArray();

        ManagedFieldsTracker.UpdateForWrite(live, reset, "editor", "Update", null, DeploymentType, T1);

        Assert.Null(reset["metadata"]!["managedFields"]);
    }

    [Fact]
    public void UpdateForWrite_StatusSubresource_TracksStatusUnderSubresourceEntry()
    {
        var live = Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"nodeName":"n"}}""");
        var updated = (JsonObject)live.DeepClone();
        updated["status"] = JsonNode.Parse("""{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}""");

        ManagedFieldsTracker.UpdateForWrite(live, updated, "kubelet", "Update", "status", typeof(V1Pod), T0);

        Assert.Equal("status", (string?)Entry(updated, "kubelet")["subresource"]);
        Assert.Equal(
            [".status.conditions[type=\"Ready\"]", ".status.conditions[type=\"Ready\"].status", ".status.conditions[type=\"Ready\"].type", ".status.phase"],
            Owned(updated, "kubelet").Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(null, "reset", false)]
    [InlineData(null, "rewritten", true)]
    [InlineData("status", "reset", true)]
    [InlineData("status", "rewritten", true)]
    public void UpdateForWrite_ManagedFieldsSent_HonouredOnlyForTheObjectItself(string? subresource, string sent, bool creatorKept)
    {
        var live = Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web"}},"spec":{"nodeName":"n"}}""");
        ManagedFieldsTracker.UpdateForWrite(null, live, "creator", "Update", null, typeof(V1Pod), T0);
        var updated = (JsonObject)live.DeepClone();
        updated["status"] = JsonNode.Parse("""{"phase":"Running"}""");
        updated["metadata"]!["managedFields"] = sent == "reset"
            ? new JsonArray()
            : JsonNode.Parse("""[{"manager":"creator","operation":"Update","apiVersion":"v1","time":"2026-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:other":{}}}}}]""");

        ManagedFieldsTracker.UpdateForWrite(live, updated, "kubelet", "Update", subresource, typeof(V1Pod), T1);

        var managers = ManagedFields(updated)?.Select(e => (string?)e!["manager"]).ToList() ?? [];
        Assert.Equal(creatorKept, managers.Contains("creator"));
        if (subresource is not null)
        {
            // The stored entry, not the sent one.
            Assert.Equal([".metadata.labels.app", ".spec.nodeName"], Owned(updated, "creator").Order(StringComparer.Ordinal));
            Assert.Contains("kubelet", managers);
        }
        else if (sent == "rewritten")
        {
            Assert.Equal([".metadata.labels.other"], Owned(updated, "creator"));
        }
    }

    [Fact]
    public void UpdateForWrite_WithoutModelType_FindsBuiltInModelFromKind()
    {
        var created = Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x"}]}}""");

        ManagedFieldsTracker.UpdateForWrite(null, created, "kubectl-run", "Update", null, T0);

        Assert.Contains(".spec.containers[name=\"a\"].image", Owned(created, "kubectl-run"));
    }

    [Fact]
    public void UpdateForWrite_MapListItemWithoutKey_DropsManagedFieldsInsteadOfFailing()
    {
        var live = Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}]}}""");
        ManagedFieldsTracker.UpdateForWrite(null, live, "creator", "Update", null, typeof(V1Pod), T0);
        var updated = (JsonObject)live.DeepClone();
        updated["spec"]!["imagePullSecrets"] = JsonNode.Parse("[{}]");

        var result = ManagedFieldsTracker.UpdateForWrite(live, updated, "editor", "Update", null, typeof(V1Pod), T1);

        Assert.Same(updated, result);
        Assert.Null(result["metadata"]!["managedFields"]);
    }

    [Fact]
    public void UpdateForWrite_WriterChangesOnlyFieldsItOwns_StoredEntriesKeptWithTheirTimes()
    {
        var live = Deployment("""{"replicas":2}""", """{"app":"web"}""");
        ManagedFieldsTracker.UpdateForWrite(null, live, "scaler", "Update", null, DeploymentType, T0);
        var stored = ManagedFields(live).DeepClone();
        var scaled = (JsonObject)live.DeepClone();
        scaled["spec"]!["replicas"] = 7;

        ManagedFieldsTracker.UpdateForWrite(live, scaled, "scaler", "Update", null, DeploymentType, T1);

        Assert.True(JsonNode.DeepEquals(stored, ManagedFields(scaled)), ManagedFields(scaled).ToJsonString());
        Assert.Equal("2026-01-02T03:04:05Z", (string?)Entry(scaled, "scaler")["time"]);
    }

    [Fact]
    public void UpdateForWrite_OwnFieldAlsoOwnedByAnother_TakesItFromTheOther()
    {
        var live = Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","managedFields":[
              {"manager":"a","operation":"Update","apiVersion":"apps/v1","time":"2026-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}}},
              {"manager":"b","operation":"Apply","apiVersion":"apps/v1","time":"2026-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:paused":{},"f:replicas":{}}}}]},
             "spec":{"replicas":2,"paused":true}}
            """);
        var updated = (JsonObject)live.DeepClone();
        updated["spec"]!["replicas"] = 3;

        ManagedFieldsTracker.UpdateForWrite(live, updated, "a", "Update", null, DeploymentType, T1);

        Assert.Equal([".spec.replicas"], Owned(updated, "a"));
        Assert.Equal([".spec.paused"], Owned(updated, "b"));
    }

    [Fact]
    public void UpdateForWrite_WriterRemovesAFieldItOwns_LosesIt()
    {
        var live = Deployment("""{"replicas":2,"paused":true}""");
        ManagedFieldsTracker.UpdateForWrite(null, live, "editor", "Update", null, DeploymentType, T0);
        var updated = (JsonObject)live.DeepClone();
        ((JsonObject)updated["spec"]!).Remove("paused");

        ManagedFieldsTracker.UpdateForWrite(live, updated, "editor", "Update", null, DeploymentType, T1);

        Assert.Equal([".spec.replicas"], Owned(updated, "editor"));
        Assert.Equal("2026-01-02T03:09:05Z", (string?)Entry(updated, "editor")["time"]);
    }

    [Fact]
    public void UpdateForWrite_ClientOmitsManagedFieldsAndChangesNothing_StoredOnesComeBack()
    {
        var live = Deployment("""{"replicas":2}""");
        ManagedFieldsTracker.UpdateForWrite(null, live, "creator", "Update", null, DeploymentType, T0);
        var resent = (JsonObject)live.DeepClone();
        ((JsonObject)resent["metadata"]!).Remove("managedFields");

        ManagedFieldsTracker.UpdateForWrite(live, resent, "other", "Update", null, DeploymentType, T1);

        Assert.True(JsonNode.DeepEquals(ManagedFields(live), ManagedFields(resent)));
    }

    [Fact]
    public void UpdateForWrite_AnotherManagerAddsAField_UntouchedEntriesStayAsStored()
    {
        var live = Applied(ServerSideApply.Apply(null, Deployment("""{"replicas":2}""", """{"app":"web"}"""), "m1", false, DeploymentType, T0));
        var m1Before = Entry(live, "m1").DeepClone();
        var updated = (JsonObject)live.DeepClone();
        updated["metadata"]!["labels"]!["tier"] = "front";

        ManagedFieldsTracker.UpdateForWrite(live, updated, "editor", "Update", null, DeploymentType, T1);

        Assert.True(JsonNode.DeepEquals(m1Before, Entry(updated, "m1")), Entry(updated, "m1").ToJsonString());
        Assert.Equal([".metadata.labels.tier"], Owned(updated, "editor"));
        Assert.Equal("2026-01-02T03:09:05Z", (string?)Entry(updated, "editor")["time"]);
        Assert.Equal(["m1", "editor"], ManagedFields(updated).Select(e => (string?)e!["manager"]));
    }

    private static IEnumerable<string> Scaler(JsonObject obj) =>
        FieldSet.FromFieldsV1((JsonObject)ManagedFields(obj).OfType<JsonObject>().Single(e => (string?)e["subresource"] == "scale")["fieldsV1"]!).Select(p => p.ToString());

    private static IEnumerable<string> ApplierPaths(JsonObject obj) =>
        FieldSet.FromFieldsV1((JsonObject)ManagedFields(obj).OfType<JsonObject>().Single(e => (string?)e["operation"] == "Apply")["fieldsV1"]!).Select(p => p.ToString());
}
