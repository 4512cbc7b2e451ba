using System.Text.Json.Nodes;
using k8s.Models;
using Stevedore.ApiServer.OpenApi;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Schema;

namespace Stevedore.ApiServer.Tests.OpenApi;

/// <summary>
/// Documents built once for all OpenAPI tests, with injected merge metadata and descriptions
/// so the tests need neither the real patch table nor the documentation file.
/// </summary>
internal static class TestDocuments
{
    public static readonly ResourceCatalog Catalog = ResourceCatalog.CreateBuiltIn();

    public static readonly OpenApiDocuments Documents = new(Catalog, new OpenApiOptions
    {
        Descriptions = () => ModelDescriptions.FromMembers(
        [
            new("T:k8s.Models.V1DeploymentStrategy", "How old pods are replaced by new ones."),
            new("P:k8s.Models.V1DeploymentSpec.Strategy", "The strategy used to replace pods."),
            new("P:k8s.Models.V1DeploymentStrategy.Type", "Recreate or RollingUpdate."),
        ]),
        PatchInfo = PatchInfo,
    });

    private static readonly Lazy<JsonObject> V2Node = new(() => JsonNode.Parse(Documents.V2Json)!.AsObject());

    public static JsonObject V2 => V2Node.Value;

    public static JsonObject V3(string groupVersionPath)
    {
        Assert.True(Documents.TryGetV3(groupVersionPath, out var json, out _), groupVersionPath);
        return JsonNode.Parse(json)!.AsObject();
    }

    public static FieldPatchInfo? PatchInfo(Type type, string jsonProperty) => (type.Name, jsonProperty) switch
    {
        (nameof(V1PodSpec), "containers") => new FieldPatchInfo("merge", "name", ListType.Map, ["name"]),
        (nameof(V1Container), "ports") => new FieldPatchInfo("merge", "containerPort", ListType.Map, ["containerPort", "protocol"]),
        (nameof(V1ObjectMeta), "finalizers") => new FieldPatchInfo("merge", null, ListType.Set, []),
        (nameof(V1DeploymentSpec), "strategy") => new FieldPatchInfo("retainKeys", null, null, []),
        _ => null,
    };

    /// <summary>Every <c>$ref</c> value anywhere under <paramref name="node"/>.</summary>
    public static IEnumerable<string> References(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref" && value is JsonValue reference)
                    {
                        yield return reference.GetValue<string>();
                    }

                    foreach (var inner in References(value))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    foreach (var inner in References(item))
                    {
                        yield return inner;
                    }
                }

                break;
        }
    }

    /// <summary>Every JSON object under <paramref name="node"/>, the node itself included.</summary>
    public static IEnumerable<JsonObject> Objects(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                yield return obj;
                foreach (var (_, value) in obj)
                {
                    foreach (var inner in Objects(value))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    foreach (var inner in Objects(item))
                    {
                        yield return inner;
                    }
                }

                break;
        }
    }
}
