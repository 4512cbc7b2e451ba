using System.Globalization;

namespace Stevedore.ApiServer.OpenApi;

/// <summary>
/// The HTTP behaviour of <c>/openapi/v2</c>, <c>/openapi/v3</c> and <c>/openapi/v3/&lt;group-version&gt;</c>
/// as upstream serves them, as a pure function so the host only copies the result onto the wire:
/// content negotiation on <c>Accept</c>, quoted SHA-512 entity tags with <c>If-None-Match</c>,
/// and for hashed v3 URLs an immutable one-year cache or a 301 to the current hash.
/// </summary>
public static class OpenApiEndpoints
{
    /// <summary>What client-go asks for at /openapi/v2 (the <c>@</c> form) and the form upstream answers with.</summary>
    public const string V2ProtobufRequested = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

    /// <summary>
    /// The Content-Type of the protobuf answer. Go's mime parser rejects the <c>@</c> form, so
    /// answering with it breaks every kubectl (<c>mime: unexpected content after media subtype</c>).
    /// </summary>
    public const string V2ProtobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    public const string JsonContentType = "application/json";

    /// <summary>
    /// The answer for an OpenAPI path, or null when <paramref name="path"/> is not one.
    /// </summary>
    /// <param name="path">The request path, e.g. <c>/openapi/v3/apis/apps/v1</c>.</param>
    /// <param name="hash">The <c>hash</c> query parameter, if any.</param>
    /// <param name="accept">The Accept header, if any.</param>
    /// <param name="ifNoneMatch">The If-None-Match header, if any.</param>
    /// <param name="now">The current time, for the Expires header of immutable answers.</param>
    public static OpenApiResponse? Respond(OpenApiDocuments documents, string path, string? hash, string? accept, string? ifNoneMatch, DateTimeOffset now)
    {
        var trimmed = path.TrimEnd('/');
        if (trimmed == "/openapi/v2")
        {
            return V2(documents, accept, ifNoneMatch);
        }

        if (trimmed == "/openapi/v3")
        {
            var index = documents.V3Index;
            return Content(index, JsonContentType, documents.V3IndexHash, ifNoneMatch, varyAccept: false);
        }

        const string v3Prefix = "/openapi/v3/";
        if (!trimmed.StartsWith(v3Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var groupVersion = trimmed[v3Prefix.Length..];
        if (!documents.TryGetV3(groupVersion, out var json, out var current))
        {
            return OpenApiResponse.Status(404);
        }

        // kubectl 1.27-1.33 reads v3 as JSON only; the gnostic v3 protobuf form is not produced.
        if (Negotiate(accept, [JsonContentType]) is null)
        {
            return OpenApiResponse.Status(406, new Dictionary<string, string> { ["Vary"] = "Accept" });
        }

        if (!string.IsNullOrEmpty(hash))
        {
            if (!string.Equals(hash, current, StringComparison.Ordinal))
            {
                return OpenApiResponse.Status(301, new Dictionary<string, string>
                {
                    ["Location"] = $"/openapi/v3/{groupVersion}?hash={current}",
                    ["Vary"] = "Accept",
                });
            }

            var response = Content(json, JsonContentType, current, ifNoneMatch, varyAccept: true);
            var headers = new Dictionary<string, string>(response.Headers)
            {
                ["Cache-Control"] = "public, immutable",
                ["Expires"] = now.AddYears(1).ToUniversalTime().ToString("r", CultureInfo.InvariantCulture),
            };
            return response with { Headers = headers };
        }

        return Content(json, JsonContentType, current, ifNoneMatch, varyAccept: true);
    }

    private static OpenApiResponse V2(OpenApiDocuments documents, string? accept, string? ifNoneMatch)
    {
        return Negotiate(accept, [JsonContentType, V2ProtobufRequested, V2ProtobufContentType]) switch
        {
            JsonContentType => Content(documents.V2Json, JsonContentType, documents.V2JsonHash, ifNoneMatch, varyAccept: true),
            null => OpenApiResponse.Status(406, new Dictionary<string, string> { ["Vary"] = "Accept" }),
            _ => Content(documents.V2Protobuf, V2ProtobufContentType, documents.V2ProtobufHash, ifNoneMatch, varyAccept: true),
        };
    }

    private static OpenApiResponse Content(byte[] body, string contentType, string hash, string? ifNoneMatch, bool varyAccept)
    {
        var etag = "\"" + hash + "\"";
        var headers = new Dictionary<string, string> { ["ETag"] = etag };
        if (varyAccept)
        {
            headers["Vary"] = "Accept";
        }

        if (ifNoneMatch is not null && ifNoneMatch.Split(',').Any(t => t.Trim() == etag || t.Trim() == "*"))
        {
            return OpenApiResponse.Status(304, headers);
        }

        return new OpenApiResponse(200, body, contentType, headers);
    }

    /// <summary>
    /// The first offered type the Accept header allows, clause by clause in header order
    /// (as upstream does); wildcards pick the first offer. No header means anything.
    /// </summary>
    internal static string? Negotiate(string? accept, IReadOnlyList<string> offers)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return offers[0];
        }

        foreach (var clause in accept.Split(','))
        {
            var parts = clause.Split(';');
            var mediaType = parts[0].Trim();
            var refused = parts.Skip(1).Any(p => p.Trim() is "q=0" or "q=0.0" or "q=0.00" or "q=0.000");
            if (refused || mediaType.Length == 0)
            {
                continue;
            }

            if (mediaType is "*/*" or "application/*")
            {
                return offers[0];
            }

            if (offers.FirstOrDefault(o => string.Equals(o, mediaType, StringComparison.OrdinalIgnoreCase)) is { } offer)
            {
                return offer;
            }
        }

        return null;
    }
}
