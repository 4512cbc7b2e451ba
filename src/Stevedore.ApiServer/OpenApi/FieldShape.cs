namespace Stevedore.ApiServer.OpenApi;

/// <summary>What a model property looks like in an OpenAPI schema, independent of the OpenAPI version.</summary>
internal abstract record FieldShape;

/// <summary>An inline scalar such as <c>{"type":"integer","format":"int32"}</c>.</summary>
internal sealed record PrimitiveShape(string Type, string? Format = null) : FieldShape;

/// <summary>A reference to the definition of a <c>k8s.Models</c> type.</summary>
internal sealed record ModelShape(Type ModelType) : FieldShape;

/// <summary>A reference to one of the <see cref="WellKnownSchemas"/> (Quantity, Time, RawExtension…).</summary>
internal sealed record WellKnownShape(string DefinitionName) : FieldShape;

internal sealed record ArrayShape(FieldShape Items) : FieldShape;

/// <summary>A JSON object with free keys (<c>additionalProperties</c>).</summary>
internal sealed record MapShape(FieldShape Values) : FieldShape;
