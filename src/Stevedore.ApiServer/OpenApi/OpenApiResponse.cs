namespace Stevedore.ApiServer.OpenApi;

/// <summary>
/// What the server answers for an OpenAPI request: status, body, content type and the caching
/// headers (<c>ETag</c>, <c>Vary</c>, <c>Cache-Control</c>, <c>Expires</c>, <c>Location</c>).
/// </summary>
public sealed record OpenApiResponse(int StatusCode, byte[] Body, string? ContentType, IReadOnlyDictionary<string, string> Headers)
{
    public static OpenApiResponse Status(int statusCode, IReadOnlyDictionary<string, string>? headers = null) =>
        new(statusCode, [], null, headers ?? new Dictionary<string, string>());
}
