using System.Text.Json.Nodes;
using Stevedore.ApiServer.Apply;

namespace Stevedore.ApiServer.Tests.Apply;

public class FieldSetTests
{
    [Theory]
    [InlineData("""{"f:spec":{"f:replicas":{}}}""", ".spec.replicas")]
    [InlineData("""{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}""", ".metadata.labels|.metadata.labels.app")]
    [InlineData("""{"f:spec":{"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{}}}}}""", ".spec.ports[port=80,protocol=\"TCP\"]|.spec.ports[port=80,protocol=\"TCP\"].port")]
    [InlineData("""{"f:metadata":{"f:finalizers":{"v:\"a\"":{}}}}""", ".metadata.finalizers[=\"a\"]")]
    [InlineData("""{"f:spec":{"f:list":{"i:3":{}}}}""", ".spec.list[3]")]
    public void FromFieldsV1_UpstreamJson_ReadsPathsAndWritesThemBack(string fieldsV1, string paths)
    {
        var json = (JsonObject)JsonNode.Parse(fieldsV1)!;

        var set = FieldSet.FromFieldsV1(json);

        Assert.Equal(paths.Split('|').Order(StringComparer.Ordinal), set.Select(p => p.ToString()).Order(StringComparer.Ordinal));
        Assert.True(JsonNode.DeepEquals(json, set.ToFieldsV1()), set.ToFieldsV1().ToJsonString());
    }

    [Fact]
    public void FromFieldsV1_KeyFieldsInAnyOrder_AreCanonical()
    {
        var a = FieldSet.FromFieldsV1((JsonObject)JsonNode.Parse("""{"k:{\"protocol\":\"TCP\",\"port\":80}":{}}""")!);
        var b = FieldSet.FromFieldsV1((JsonObject)JsonNode.Parse("""{"k:{\"port\":80,\"protocol\":\"TCP\"}":{}}""")!);

        Assert.True(a.SetEquals(b));
    }
}
