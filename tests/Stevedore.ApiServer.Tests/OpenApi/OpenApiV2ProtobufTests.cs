namespace Stevedore.ApiServer.Tests.OpenApi;

/// <summary>
/// Reads the gnostic <c>openapi.v2.Document</c> back by field number (gnostic OpenAPIv2.proto):
/// Document.swagger=1, paths=8, definitions=9; NamedX.name=1, value=2; Schema._ref=1,
/// description=4, type=22, items=23, properties=25, vendor_extension=31; PathItem.patch=8;
/// Operation.operation_id=5, consumes=7, parameters=8, vendor_extension=13.
/// </summary>
public class OpenApiV2ProtobufTests
{
    private static readonly ProtoFields Document = new(TestDocuments.Documents.V2Protobuf);

    private static ProtoFields Definition(string name) =>
        Document.Message(9)!.Named(1, name) ?? throw new Xunit.Sdk.XunitException($"no definition {name}");

    private static ProtoFields Operation(string path, int methodField) =>
        Document.Message(8)!.Named(2, path)!.Message(methodField) ?? throw new Xunit.Sdk.XunitException($"no operation {methodField} on {path}");

    private static string? Extension(ProtoFields owner, int field, string name) =>
        owner.Named(field, name)?.String(2);

    [Fact]
    public void V2Protobuf_Document_HasSwaggerVersionAndTitle()
    {
        Assert.Equal("2.0", Document.String(1));
        Assert.Equal("Kubernetes", Document.Message(2)!.String(1));
    }

    [Fact]
    public void V2Protobuf_Definitions_MatchTheJsonDocument()
    {
        var names = Document.Message(9)!.Messages(1).Select(m => m.String(1)).ToList();

        Assert.Equal(TestDocuments.V2["definitions"]!.AsObject().Select(d => d.Key), names);
    }

    [Fact]
    public void V2Protobuf_Deployment_IsObjectWithGvkExtensionAsYaml()
    {
        var deployment = Definition("io.k8s.api.apps.v1.Deployment");

        Assert.Equal(["object"], deployment.Message(22)!.Strings(1));
        var gvk = Extension(deployment, 31, "x-kubernetes-group-version-kind");
        Assert.NotNull(gvk);
        Assert.Contains("\"kind\":\"Deployment\"", gvk);
        Assert.Contains("\"group\":\"apps\"", gvk);
        var spec = deployment.Message(25)!.Named(1, "spec")!;
        Assert.Equal("#/definitions/io.k8s.api.apps.v1.DeploymentSpec", spec.String(1));
    }

    [Fact]
    public void V2Protobuf_PodSpecContainers_CarriesMergeKeyAndArrayItems()
    {
        var containers = Definition("io.k8s.api.core.v1.PodSpec").Message(25)!.Named(1, "containers")!;

        Assert.Equal(["array"], containers.Message(22)!.Strings(1));
        Assert.Equal("#/definitions/io.k8s.api.core.v1.Container", containers.Message(23)!.Message(1)!.String(1));
        Assert.Equal("\"name\"\n", Extension(containers, 31, "x-kubernetes-patch-merge-key"));
        Assert.Equal("\"merge\"\n", Extension(containers, 31, "x-kubernetes-patch-strategy"));
    }

    [Fact]
    public void V2Protobuf_DeploymentPatch_HasConsumesQueryParameterAndGvk()
    {
        var patch = Operation("/apis/apps/v1/namespaces/{namespace}/deployments/{name}", 8);

        Assert.Equal("patchAppsV1NamespacedDeployment", patch.String(5));
        Assert.Contains("application/strategic-merge-patch+json", patch.Strings(7));

        // ParametersItem.parameter(1) → Parameter.non_body_parameter(2) → NonBodyParameter.query(3) → name(4)
        var queryNames = patch.Messages(8)
            .Select(item => item.Message(1)!.Message(2)?.Message(3)?.String(4))
            .OfType<string>()
            .ToList();
        Assert.Contains("fieldValidation", queryNames);

        var body = patch.Messages(8).Select(item => item.Message(1)!.Message(1)).OfType<ProtoFields>().Single();
        Assert.Equal("body", body.String(3));
        Assert.True(body.Bool(4));
        Assert.Equal("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch", body.Message(5)!.String(1));

        Assert.Contains("\"kind\":\"Deployment\"", Extension(patch, 13, "x-kubernetes-group-version-kind"));
    }

    [Fact]
    public void V2Protobuf_PathParameters_UsePathSubSchema()
    {
        var item = Document.Message(8)!.Named(2, "/apis/apps/v1/namespaces/{namespace}/deployments/{name}")!;

        // PathItem.parameters(9) → ParametersItem.parameter(1) → Parameter.non_body_parameter(2) → NonBodyParameter.path(4)
        var pathParameters = item.Messages(9).Select(p => p.Message(1)!.Message(2)!.Message(4)).OfType<ProtoFields>().ToList();
        Assert.Equal(["name", "namespace"], pathParameters.Select(p => p.String(4)));
        Assert.All(pathParameters, p => Assert.True(p.Bool(1)));
        Assert.All(pathParameters, p => Assert.Equal("string", p.String(5)));
    }

    [Fact]
    public void V2Protobuf_ReadResponse_ReferencesTheKind()
    {
        var get = Operation("/apis/apps/v1/namespaces/{namespace}/deployments/{name}", 2);

        // Responses.response_code(1) → NamedResponseValue → ResponseValue.response(1) → Response.schema(2) → SchemaItem.schema(1)
        var ok = get.Message(9)!.Named(1, "200")!.Message(1)!;
        Assert.Equal("OK", ok.String(1));
        Assert.Equal("#/definitions/io.k8s.api.apps.v1.Deployment", ok.Message(2)!.Message(1)!.String(1));
    }
}
