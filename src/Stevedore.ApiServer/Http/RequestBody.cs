using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Stevedore.ApiServer.Serialization;
using Stevedore.Client.Serialization;
using YamlDotNet.Core;

namespace Stevedore.ApiServer.Http;

/// <summary>Reads request bodies with the 3 MiB limit and decodes JSON or YAML into nodes.</summary>
public static class RequestBody
{
    /// <summary>The largest body accepted, as upstream's default.</summary>
    public const int MaxBytes = 3 * 1024 * 1024;

    public static async Task<byte[]> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadBodyAsync(request, cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's own limit (just above ours) tripped first on a body without Content-Length.
            throw ApiException.TooLarge(MaxBytes);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length)
        {
            if (length > MaxBytes)
            {
                throw ApiException.TooLarge(MaxBytes);
            }

            // The usual case: read straight into a buffer of the announced size (the server
            // enforces that the body is not longer).
            var body = new byte[length];
            var filled = 0;
            int got;
            while (filled < body.Length && (got = await request.Body.ReadAsync(body.AsMemory(filled), cancellationToken)) > 0)
            {
                filled += got;
            }

            return filled == body.Length ? body : body[..filled];
        }

        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                {
                    throw ApiException.TooLarge(MaxBytes);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    /// <summary>The media type of the body without parameters, lower case.</summary>
    public static string MediaType(HttpRequest request)
    {
        var contentType = request.ContentType ?? "application/json";
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
    }

    /// <summary>Decodes a JSON or YAML body; anything malformed is a 400 with the parser's message.</summary>
    public static JsonNode Decode(byte[] body, string mediaType)
    {
        if (body.Length == 0)
        {
            throw ApiException.BadRequest("the request body is empty");
        }

        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            throw ApiException.BadRequest("error decoding request body: the body is not valid UTF-8");
        }

        try
        {
            if (mediaType.Contains("yaml", StringComparison.Ordinal))
            {
                return YamlToJson.Convert(Encoding.UTF8.GetString(body)) ?? throw ApiException.BadRequest("the request body is empty");
            }

            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
            var node = JsonNode.Parse(ref reader, Json.NodeOptions) ?? throw ApiException.BadRequest("the request body is null");
            if (reader.Read())
            {
                throw ApiException.BadRequest("the request body has data after the JSON value");
            }

            return node;
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"error decoding request body: {ex.Message}");
        }
        catch (YamlException ex)
        {
            throw ApiException.BadRequest($"error converting YAML to JSON: {ex.Message}");
        }
        catch (ArgumentException ex)
        {
            // e.g. a duplicate property name
            throw ApiException.BadRequest($"error decoding request body: {ex.Message}");
        }
        catch (InvalidOperationException ex)
        {
            throw ApiException.BadRequest($"error decoding request body: {ex.Message}");
        }
    }

    public static JsonObject DecodeObject(byte[] body, string mediaType) =>
        Decode(body, mediaType) as JsonObject ?? throw ApiException.BadRequest("the request body must be a JSON object");
}
