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
    public void ToFieldsV1_PathsInAnyOrder_WrittenInUpstreamOrderDotFirst()
    {
        var paths = new[]
        {
            new[] { "f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"c\"}", "f:image" },
            new[] { "f:metadata", "f:labels", "f:tier" },
            new[] { "f:spec", "f:replicas" },
            new[] { "f:metadata", "f:labels" },
            new[] { "f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"c\"}" },
            new[] { "f:metadata", "f:labels", "f:app" },
            new[] { "f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"c\"}", "f:name" },
            new[] { "f:metadata", "f:annotations", "f:a" },
            new[] { "f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"b\"}" },
        };
        var set = new FieldSet(paths.Select(p => new FieldPath(p)));

        Assert.Equal(
            """{"f:metadata":{"f:annotations":{"f:a":{}},"f:labels":{".":{},"f:app":{},"f:tier":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"b\"}":{},"k:{\"name\":\"c\"}":{".":{},"f:image":{},"f:name":{}}}}}}}""",
            System.Text.Encoding.UTF8.GetString(Stevedore.ApiServer.Serialization.Json.Serialize(set.ToFieldsV1())));
        Assert.Equal("{}", new FieldSet().ToFieldsV1().ToJsonString());
    }

    [Fact]
    public void FromFieldsV1_KeyFieldsInAnyOrder_AreCanonical()
    {
        var a = FieldSet.FromFieldsV1((JsonObject)JsonNode.Parse("""{"k:{\"protocol\":\"TCP\",\"port\":80}":{}}""")!);
        var b = FieldSet.FromFieldsV1((JsonObject)JsonNode.Parse("""{"k:{\"port\":80,\"protocol\":\"TCP\"}":{}}""")!);

        Assert.True(a.SetEquals(b));
    }
}
