using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.OpenApi;

/// <summary>Renders <see cref="PathSpec"/>s as Swagger 2.0 or OpenAPI 3.0 path items.</summary>
internal sealed class OperationWriter(SchemaWriter schemas, OpenApiVersion version)
{
    /// <summary>The four patch formats the API server accepts; kubectl apply looks for strategic merge.</summary>
    public static readonly IReadOnlyList<string> PatchContentTypes =
        ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"];

    private static readonly string[] ObjectContentTypes = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];
    private static readonly string[] WatchContentTypes = ["application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch"];
    private static readonly string[] TextContentTypes = ["text/plain", "application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];
    private static readonly string[] ConnectContentTypes = ["*/*"];

    public JsonObject PathItem(PathSpec path)
    {
        var item = new JsonObject();
        foreach (var operation in path.Operations)
        {
            item[operation.Method] = Operation(operation);
        }

        item["parameters"] = new JsonArray([.. path.Parameters.Select(p => (JsonNode)Parameter(p))]);
        return item;
    }

    private JsonObject Operation(OperationSpec op)
    {
        var produces = op.Response == OperationBody.Text
            ? op.Action == "connect" ? ConnectContentTypes : TextContentTypes
            : op.Watchable ? [.. ObjectContentTypes, .. WatchContentTypes] : ObjectContentTypes;
        var consumes = op.Request == OperationBody.Patch ? PatchContentTypes : ConnectContentTypes;

        var json = new JsonObject { ["description"] = op.Description };
        if (version == OpenApiVersion.V2)
        {
            json["consumes"] = Strings(consumes);
            json["produces"] = Strings(produces);
            json["schemes"] = Strings(["https"]);
        }

        json["operationId"] = op.OperationId;

        var parameters = new JsonArray();
        if (version == OpenApiVersion.V2 && op.Request != OperationBody.None && op.RequestSchema is not null)
        {
            parameters.Add(new JsonObject
            {
                ["name"] = "body",
                ["in"] = "body",
                ["required"] = op.Request == OperationBody.Patch || op.Method != "delete",
                ["schema"] = Schema(op.RequestSchema),
            });
        }

        foreach (var query in op.Query)
        {
            parameters.Add(Parameter(query));
        }

        if (parameters.Count > 0)
        {
            json["parameters"] = parameters;
        }

        if (version == OpenApiVersion.V3 && op.Request != OperationBody.None && op.RequestSchema is not null)
        {
            var content = new JsonObject();
            foreach (var type in consumes)
            {
                content[type] = new JsonObject { ["schema"] = Schema(op.RequestSchema) };
            }

            json["requestBody"] = new JsonObject { ["content"] = content, ["required"] = op.Method != "delete" };
        }

        var responses = new JsonObject();
        foreach (var code in op.SuccessCodes)
        {
            var response = new JsonObject { ["description"] = code switch { "201" => "Created", "202" => "Accepted", _ => "OK" } };
            if (op.ResponseSchema is not null)
            {
                if (version == OpenApiVersion.V2)
                {
                    response["schema"] = Schema(op.ResponseSchema);
                }
                else
                {
                    var content = new JsonObject();
                    foreach (var type in produces)
                    {
                        content[type] = new JsonObject { ["schema"] = Schema(op.ResponseSchema) };
                    }

                    response["content"] = content;
                }
            }

            responses[code] = response;
        }

        responses["401"] = new JsonObject { ["description"] = "Unauthorized" };
        json["responses"] = responses;
        json["tags"] = Strings([ResourcePaths.Tag(op.Kind.Group, op.Kind.Version)]);
        json["x-kubernetes-action"] = op.Action;
        json["x-kubernetes-group-version-kind"] = op.Kind.ToJson();
        return json;
    }

    private JsonObject Parameter(ParameterSpec parameter)
    {
        var json = new JsonObject
        {
            ["name"] = parameter.Name,
            ["in"] = parameter.In,
            ["description"] = parameter.Description,
        };
        if (parameter.Required)
        {
            json["required"] = true;
        }

        if (version == OpenApiVersion.V2)
        {
            json["type"] = parameter.Type;
            json["uniqueItems"] = true;
        }
        else
        {
            json["schema"] = new JsonObject { ["type"] = parameter.Type, ["uniqueItems"] = true };
        }

        return json;
    }

    private JsonObject Schema(FieldShape shape) => shape switch
    {
        ModelShape m => schemas.Reference(m.ModelType),
        WellKnownShape w => schemas.Reference(w.DefinitionName),
        PrimitiveShape p => new JsonObject { ["type"] = p.Type },
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "operations send and return objects or text"),
    };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
}
