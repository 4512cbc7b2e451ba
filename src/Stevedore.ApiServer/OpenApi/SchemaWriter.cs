using System.Text.Json.Nodes;
using Stevedore.ApiServer.Schema;

namespace Stevedore.ApiServer.OpenApi;

/// <summary>Where definitions live and how a described reference is spelled in each OpenAPI version.</summary>
internal enum OpenApiVersion
{
    /// <summary>Swagger 2.0: <c>#/definitions/</c>, description next to <c>$ref</c>.</summary>
    V2,

    /// <summary>OpenAPI 3.0: <c>#/components/schemas/</c>, a described reference wrapped in <c>allOf</c>.</summary>
    V3,
}

/// <summary>A group, version and kind as the <c>x-kubernetes-group-version-kind</c> extension spells it.</summary>
internal readonly record struct GroupVersionKind(string Group, string Version, string Kind)
{
    public JsonObject ToJson() => new() { ["group"] = Group, ["kind"] = Kind, ["version"] = Version };
}

/// <summary>Renders model types and well-known types as JSON schema definitions.</summary>
internal sealed class SchemaWriter(ModelGraph graph, OpenApiVersion version, ModelDescriptions descriptions, Func<Type, string, FieldPatchInfo?> patchInfo)
{
    public string RefTo(string definitionName) =>
        (version == OpenApiVersion.V2 ? "#/definitions/" : "#/components/schemas/") + definitionName;

    public string RefTo(Type modelType) => RefTo(graph.NameOf(modelType));

    /// <summary>The definition of one model type.</summary>
    public JsonObject Definition(Type modelType, IReadOnlyList<GroupVersionKind> kinds)
    {
        var schema = new JsonObject();
        if (descriptions.OfType(modelType) is { } description)
        {
            schema["description"] = description;
        }

        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var (json, property) in ModelSchema.PropertiesOf(modelType).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            properties[json] = Property(modelType, json, property.PropertyType, descriptions.OfProperty(modelType, property.Name));

            // The client makes a field a non-nullable value type exactly when upstream requires it.
            if (property.PropertyType.IsValueType && Nullable.GetUnderlyingType(property.PropertyType) is null)
            {
                required.Add(json);
            }
        }

        if (required.Count > 0)
        {
            schema["required"] = required;
        }

        schema["type"] = "object";
        schema["properties"] = properties;
        if (kinds.Count > 0)
        {
            schema["x-kubernetes-group-version-kind"] = new JsonArray([.. kinds.Select(k => (JsonNode)k.ToJson())]);
        }

        return schema;
    }

    /// <summary>The definition of a type with custom JSON (Quantity, Time…) or a free-form value.</summary>
    public JsonObject WellKnownDefinition(string name, IReadOnlyList<GroupVersionKind> kinds)
    {
        var entry = WellKnownSchemas.All[name];
        var schema = new JsonObject { ["description"] = entry.Description };
        if (version == OpenApiVersion.V3 && entry.V3OneOf is { } oneOf)
        {
            schema["oneOf"] = new JsonArray([.. oneOf.Select(t => (JsonNode)new JsonObject { ["type"] = t })]);
        }
        else if (entry.Type is not null)
        {
            schema["type"] = entry.Type;
        }

        if (entry.Format is not null)
        {
            schema["format"] = entry.Format;
        }

        if (kinds.Count > 0)
        {
            schema["x-kubernetes-group-version-kind"] = new JsonArray([.. kinds.Select(k => (JsonNode)k.ToJson())]);
        }

        return schema;
    }

    /// <summary>The schema of a reference to a model, for request bodies and responses.</summary>
    public JsonObject Reference(Type modelType) => new() { ["$ref"] = RefTo(modelType) };

    public JsonObject Reference(string definitionName) => new() { ["$ref"] = RefTo(definitionName) };

    private JsonObject Property(Type declaringType, string json, Type propertyType, string? description)
    {
        var shape = ModelGraph.ShapeOf(declaringType, json, propertyType);
        JsonObject schema;
        if (shape is ModelShape or WellKnownShape && description is not null && version == OpenApiVersion.V3)
        {
            // OpenAPI 3.0 ignores siblings of $ref; upstream wraps described references in allOf.
            schema = new JsonObject { ["allOf"] = new JsonArray(Inline(shape)) };
        }
        else
        {
            schema = Inline(shape);
        }

        if (description is not null)
        {
            schema["description"] = description;
        }

        if (patchInfo(declaringType, json) is { } patch)
        {
            if (patch.PatchStrategy is not null)
            {
                schema["x-kubernetes-patch-strategy"] = patch.PatchStrategy;
            }

            if (patch.PatchMergeKey is not null)
            {
                schema["x-kubernetes-patch-merge-key"] = patch.PatchMergeKey;
            }

            if (shape is ArrayShape && patch.ListType is { } listType)
            {
                schema["x-kubernetes-list-type"] = listType.ToString().ToLowerInvariant();
                if (listType == ListType.Map && patch.ListMapKeys.Count > 0)
                {
                    schema["x-kubernetes-list-map-keys"] = new JsonArray([.. patch.ListMapKeys.Select(k => (JsonNode)JsonValue.Create(k))]);
                }
            }
        }

        return schema;
    }

    private JsonObject Inline(FieldShape shape) => shape switch
    {
        PrimitiveShape p when p.Format is null => new JsonObject { ["type"] = p.Type },
        PrimitiveShape p => new JsonObject { ["type"] = p.Type, ["format"] = p.Format },
        ModelShape m => new JsonObject { ["$ref"] = RefTo(m.ModelType) },
        WellKnownShape w => new JsonObject { ["$ref"] = RefTo(w.DefinitionName) },
        ArrayShape a => new JsonObject { ["type"] = "array", ["items"] = Inline(a.Items) },
        MapShape m => new JsonObject { ["type"] = "object", ["additionalProperties"] = Inline(m.Values) },
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "unknown field shape"),
    };
}
