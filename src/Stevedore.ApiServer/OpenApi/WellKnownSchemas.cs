namespace Stevedore.ApiServer.OpenApi;

/// <summary>
/// Definitions that have no model class of their own in the client: Go types with custom JSON
/// (Quantity, IntOrString, Time) and free-form values (RawExtension, JSON, FieldsV1). Their
/// names, types and formats follow the published Kubernetes OpenAPI.
/// </summary>
internal static class WellKnownSchemas
{
    public const string Quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    public const string IntOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    public const string Time = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
    public const string MicroTime = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
    public const string FieldsV1 = "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1";
    public const string Patch = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
    public const string RawExtension = "io.k8s.apimachinery.pkg.runtime.RawExtension";
    public const string Json = ApiExtensions + ".JSON";
    public const string JsonSchemaPropsOrBool = ApiExtensions + ".JSONSchemaPropsOrBool";
    public const string JsonSchemaPropsOrArray = ApiExtensions + ".JSONSchemaPropsOrArray";
    public const string JsonSchemaPropsOrStringArray = ApiExtensions + ".JSONSchemaPropsOrStringArray";

    private const string ApiExtensions = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1";

    /// <param name="Type">JSON schema type, or null for "any JSON value".</param>
    /// <param name="V3OneOf">In OpenAPI 3 upstream lists the accepted JSON types instead of one type.</param>
    public sealed record Entry(string? Type, string? Format, string Description, IReadOnlyList<string>? V3OneOf = null);

    public static readonly IReadOnlyDictionary<string, Entry> All = new Dictionary<string, Entry>(StringComparer.Ordinal)
    {
        [Quantity] = new("string", null,
            "A fixed-point amount such as 100m, 1.5, 128Mi or 2Gi; serialized as a string in its canonical form.",
            ["string", "number"]),
        [IntOrString] = new("string", "int-or-string",
            "A value that is either an integer or a string, such as a port number or a named port.",
            ["integer", "string"]),
        [Time] = new("string", "date-time",
            "A timestamp in RFC 3339 form with second precision, e.g. 2024-01-02T03:04:05Z."),
        [MicroTime] = new("string", "date-time",
            "A timestamp in RFC 3339 form with microsecond precision."),
        [FieldsV1] = new("object", null,
            "The set of fields as a trie in the FieldsV1 JSON format (keys such as f:spec, k:{...}, v:...)."),
        [Patch] = new("object", null,
            "The body of a PATCH request; its format follows the request Content-Type."),
        [RawExtension] = new("object", null,
            "An embedded object of any kind, kept as raw JSON."),
        [Json] = new(null, null,
            "Any JSON value: object, array, string, number, boolean or null."),
        [JsonSchemaPropsOrBool] = new(null, null,
            "Either a JSON schema or a boolean (true allows anything, false allows nothing)."),
        [JsonSchemaPropsOrArray] = new(null, null,
            "Either one JSON schema or an array of JSON schemas."),
        [JsonSchemaPropsOrStringArray] = new(null, null,
            "Either a JSON schema or an array of property names."),
    };
}
