using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Tests.OpenApi;

public class OpenApiV3Tests
{
    private static JsonObject Index => JsonNode.Parse(TestDocuments.Documents.V3Index)!["paths"]!.AsObject();

    [Fact]
    public void V3Index_Always_ListsEveryCatalogGroupVersion()
    {
        var expected = TestDocuments.Catalog.GroupVersions
            .Select(gv => gv.Contains('/') ? "apis/" + gv : "api/" + gv)
            .Order(StringComparer.Ordinal);

        Assert.Equal(expected, Index.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void V3Index_ServerRelativeUrl_CarriesTheDocumentHash()
    {
        foreach (var (path, entry) in Index)
        {
            Assert.True(TestDocuments.Documents.TryGetV3(path, out var json, out var hash));
            Assert.Equal(Convert.ToHexString(SHA512.HashData(json)), hash);
            Assert.Equal($"/openapi/v3/{path}?hash={hash}", entry!["serverRelativeURL"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("apis/apps/v1")]
    [InlineData("/apis/apps/v1")]
    [InlineData("api/v1")]
    public void TryGetV3_KnownPath_ReturnsDocument(string path)
    {
        Assert.True(TestDocuments.Documents.TryGetV3(path, out var json, out var hash));
        Assert.NotEmpty(json);
        Assert.Equal(128, hash.Length);
    }

    [Theory]
    [InlineData("apis/apps/v2")]
    [InlineData("apis/example.com/v1")]
    [InlineData("")]
    public void TryGetV3_UnknownPath_ReturnsFalse(string path)
    {
        Assert.False(TestDocuments.Documents.TryGetV3(path, out var json, out _));
        Assert.Empty(json);
    }

    [Fact]
    public void V3AppsV1_DeploymentPatch_HasFieldValidationAndStrategicMergeBody()
    {
        var patch = TestDocuments.V3("apis/apps/v1")["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!["patch"]!.AsObject();

        Assert.Contains(patch["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "fieldValidation" && p["in"]!.GetValue<string>() == "query");
        Assert.NotNull(patch["requestBody"]!["content"]!["application/strategic-merge-patch+json"]);
        var gvk = patch["x-kubernetes-group-version-kind"]!;
        Assert.Equal(("apps", "v1", "Deployment"), (gvk["group"]!.GetValue<string>(), gvk["version"]!.GetValue<string>(), gvk["kind"]!.GetValue<string>()));
    }

    /// <summary>kubectl's field validation check stops at the first PATCH of a kind, in map order: every one must carry the parameter.</summary>
    [Fact]
    public void V3_EveryPatchOperation_HasFieldValidationParameter()
    {
        foreach (var path in TestDocuments.Documents.V3Paths)
        {
            foreach (var (route, item) in TestDocuments.V3(path)["paths"]!.AsObject())
            {
                if (item!["patch"] is JsonObject patch)
                {
                    Assert.True(patch["parameters"]!.AsArray().Any(p => p!["name"]!.GetValue<string>() == "fieldValidation"), route);
                }
            }
        }
    }

    [Fact]
    public void V3_EveryReference_ResolvesWithinItsDocument()
    {
        foreach (var path in TestDocuments.Documents.V3Paths)
        {
            var document = TestDocuments.V3(path);
            var schemas = document["components"]!["schemas"]!.AsObject();
            var missing = TestDocuments.References(document)
                .Select(r => r["#/components/schemas/".Length..])
                .Where(name => !schemas.ContainsKey(name))
                .Distinct()
                .ToList();

            Assert.True(missing.Count == 0, $"{path}: {string.Join(", ", missing)}");
        }
    }

    [Fact]
    public void V3AppsV1_DescribedReference_IsWrappedInAllOf()
    {
        var strategy = TestDocuments.V3("apis/apps/v1")["components"]!["schemas"]!["io.k8s.api.apps.v1.DeploymentSpec"]!["properties"]!["strategy"]!;

        Assert.Null(strategy["$ref"]);
        Assert.Equal("#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy", strategy["allOf"]![0]!["$ref"]!.GetValue<string>());
        Assert.Equal("The strategy used to replace pods.", strategy["description"]!.GetValue<string>());
    }

    [Fact]
    public void V3AppsV1_Schemas_IncludeCoreTypesUnderCoreNames()
    {
        var schemas = TestDocuments.V3("apis/apps/v1")["components"]!["schemas"]!.AsObject();

        Assert.True(schemas.ContainsKey("io.k8s.api.core.v1.PodSpec"));
        Assert.True(schemas.ContainsKey("io.k8s.api.autoscaling.v1.Scale"));
        Assert.False(schemas.ContainsKey("io.k8s.api.apps.v1.PodSpec"));
        Assert.False(schemas.ContainsKey("io.k8s.api.batch.v1.Job"));
    }

    [Fact]
    public void V3AppsV1_Containers_CarryListTypeAndMergeKey()
    {
        var containers = TestDocuments.V3("apis/apps/v1")["components"]!["schemas"]!["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!;

        Assert.Equal("map", containers["x-kubernetes-list-type"]!.GetValue<string>());
        Assert.Equal("name", containers["x-kubernetes-list-map-keys"]![0]!.GetValue<string>());
        Assert.Equal("name", containers["x-kubernetes-patch-merge-key"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.Container", containers["items"]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public void V3AppsV1_KindSchemas_CarryGroupVersionKindArrays()
    {
        var schemas = TestDocuments.V3("apis/apps/v1")["components"]!["schemas"]!.AsObject();

        foreach (var resource in TestDocuments.Catalog.InGroupVersion("apps", "v1"))
        {
            var kind = schemas["io.k8s.api.apps.v1." + resource.Kind]!["x-kubernetes-group-version-kind"]!.AsArray();
            Assert.Contains(kind, k => k!["kind"]!.GetValue<string>() == resource.Kind && k["group"]!.GetValue<string>() == "apps");
        }
    }

    [Fact]
    public void V3CoreV1_Document_IsOpenApi30WithComponents()
    {
        var document = TestDocuments.V3("api/v1");

        Assert.Equal("3.0.0", document["openapi"]!.GetValue<string>());
        Assert.NotNull(document["paths"]!["/api/v1/namespaces/{namespace}/pods/{name}/log"]!["get"]);
        Assert.NotNull(document["components"]!["schemas"]!["io.k8s.api.core.v1.Pod"]);
    }

    [Theory]
    [InlineData("io.k8s.apimachinery.pkg.util.intstr.IntOrString", "integer", "string")]
    [InlineData("io.k8s.apimachinery.pkg.api.resource.Quantity", "string", "number")]
    public void V3CoreV1_UnionScalar_ListsItsJsonTypesInOneOf(string definition, string first, string second)
    {
        var schema = TestDocuments.V3("api/v1")["components"]!["schemas"]![definition]!;

        Assert.Null(schema["type"]);
        Assert.Equal([first, second], schema["oneOf"]!.AsArray().Select(t => t!["type"]!.GetValue<string>()));
    }
}
