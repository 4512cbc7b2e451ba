using System.Text.Json.Nodes;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Tests.Registry;

public class CheckTypeMetaTests
{
    private static readonly ApiResource Pods = ResourceCatalog.CreateBuiltIn().All.Single(r => r.Group == "" && r.Kind == "Pod");

    [Theory]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"containers":[]}}""")]
    [InlineData("""{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"},"spec":{"containers":[]}}""")]
    [InlineData("""{"metadata":{"name":"p"},"apiVersion":"v1","spec":{"containers":[]},"kind":"Pod"}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[]}}""")]
    public void CheckTypeMeta_AnyOrder_ApiVersionAndKindFirstRestKeptAsIs(string json)
    {
        var obj = JsonNode.Parse(json)!.AsObject();
        var spec = obj["spec"];

        ResourceRegistry.CheckTypeMeta(Pods, obj);

        Assert.Equal(["apiVersion", "kind", "metadata", "spec"], obj.Select(p => p.Key));
        Assert.Equal("v1", (string?)obj["apiVersion"]);
        Assert.Equal("Pod", (string?)obj["kind"]);
        Assert.Same(spec, obj["spec"]);
        Assert.Equal("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[]}}""", obj.ToJsonString());
    }

    [Theory]
    [InlineData("""{"apiVersion":"v1","kind":"Service"}""", "the kind in the data (Service) does not match")]
    [InlineData("""{"apiVersion":"apps/v1","kind":"Pod"}""", "the API version in the data (apps/v1) does not match")]
    public void CheckTypeMeta_OtherTypeInTheData_BadRequest(string json, string message)
    {
        var ex = Assert.Throws<ApiException>(() => ResourceRegistry.CheckTypeMeta(Pods, JsonNode.Parse(json)!.AsObject()));

        Assert.Equal(400, ex.Code);
        Assert.Contains(message, ex.Message);
    }
}
