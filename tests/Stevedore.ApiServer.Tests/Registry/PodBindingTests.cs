using System.Text.Json.Nodes;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Registry;

namespace Stevedore.ApiServer.Tests.Registry;

public class PodBindingTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static JsonObject Pod(string extra = "") => JsonNode.Parse("""
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"p","namespace":"ns","generation":1,"annotations":{"a":"1"},
                     "managedFields":[{"manager":"creator","operation":"Update","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:containers":{}}}}]},
         "spec":{"containers":[{"name":"c","image":"i"}]}
        """.TrimEnd() + extra + "}")!.AsObject();

    [Fact]
    public void Assign_PendingPod_SetsNodeAnnotationsAndScheduledConditionOnly()
    {
        var pod = Pod();
        var before = (JsonObject)pod.DeepClone();

        PodBinding.Assign(pod, "p", "node-1", JsonNode.Parse("""{"b":"2","a":"changed"}""")!.AsObject(), Now);

        Assert.Equal("node-1", (string?)pod["spec"]!["nodeName"]);
        Assert.Equal("""{"a":"changed","b":"2"}""", pod["metadata"]!["annotations"]!.ToJsonString());
        Assert.Equal(
            """[{"type":"PodScheduled","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-03-04T05:06:07Z"}]""",
            pod["status"]!["conditions"]!.ToJsonString());
        // Upstream binds through storage alone: no managedFields entry, no generation bump.
        Assert.True(JsonNode.DeepEquals(before["metadata"]!["managedFields"], pod["metadata"]!["managedFields"]));
        Assert.Equal(1, (long)pod["metadata"]!["generation"]!);
    }

    [Fact]
    public void Assign_UnschedulableCondition_ReplacedByTrueWithNewTransitionTime()
    {
        var pod = Pod("""
            ,"status":{"phase":"Pending","conditions":[
              {"type":"Other","status":"True"},
              {"type":"PodScheduled","status":"False","reason":"Unschedulable","message":"0/3 nodes are available","lastProbeTime":"2026-01-01T00:00:00Z","lastTransitionTime":"2026-01-01T00:00:00Z"}]}
            """);

        PodBinding.Assign(pod, "p", "node-1", null, Now);

        Assert.Equal(
            """[{"type":"Other","status":"True"},{"type":"PodScheduled","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-03-04T05:06:07Z"}]""",
            pod["status"]!["conditions"]!.ToJsonString());
        Assert.Equal("Pending", (string?)pod["status"]!["phase"]);
    }

    [Fact]
    public void Assign_ScheduledAlreadyTrue_KeepsItsTransitionTime()
    {
        var pod = Pod("""
            ,"status":{"conditions":[{"type":"PodScheduled","status":"True","reason":"Old","lastTransitionTime":"2026-01-01T00:00:00Z"}]}
            """);

        PodBinding.Assign(pod, "p", "node-1", null, Now);

        Assert.Equal(
            """[{"type":"PodScheduled","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-01-01T00:00:00Z"}]""",
            pod["status"]!["conditions"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"p","deletionTimestamp":"2026-01-01T00:00:00Z"},"spec":{}}""", "Operation cannot be fulfilled on pods/binding \"p\": pod p is being deleted, cannot be assigned to a host")]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"nodeName":"node-0"}}""", "Operation cannot be fulfilled on pods/binding \"p\": pod p is already assigned to node \"node-0\"")]
    public void Assign_DeletingOrBoundPod_ConflictAndPodUnchanged(string json, string message)
    {
        var pod = JsonNode.Parse(json)!.AsObject();
        var before = pod.ToJsonString();

        var ex = Assert.Throws<ApiException>(() => PodBinding.Assign(pod, "p", "node-1", null, Now));

        Assert.Equal(409, ex.Code);
        Assert.Equal(message, ex.Message);
        Assert.Equal(before, pod.ToJsonString());
    }

    [Theory]
    [InlineData("""{"target":{"kind":"Node","name":"n"}}""", "")]
    [InlineData("""{"target":{"name":"n"}}""", "")]
    [InlineData("""{"target":{"kind":"Pod","name":"n"}}""", "target.kind: Unsupported value: \"Pod\": supported values: \"Node\", \"<empty>\"")]
    [InlineData("""{"target":{"kind":"Node"}}""", "target.name: Required value")]
    [InlineData("""{}""", "target.name: Required value")]
    public void Validate_Target_AsUpstreamValidatePodBinding(string json, string expected)
    {
        var errors = PodBinding.Validate(JsonNode.Parse(json)!.AsObject());

        Assert.Equal(expected, string.Join("; ", errors.Select(e => e.ToString())));
    }
}
