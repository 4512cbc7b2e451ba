using System.Globalization;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Http;

namespace Stevedore.ApiServer.Security.ServiceAccounts;

/// <summary>
/// The pure parts of <c>POST .../serviceaccounts/NAME/token</c> (TokenRequest, authentication.k8s.io/v1):
/// defaulting, validation, the bound object reference, and the answer.
/// </summary>
public static class TokenRequests
{
    public const string Group = "authentication.k8s.io";
    public const string Kind = "TokenRequest";

    /// <summary>A token lives at least ten minutes, as upstream requires.</summary>
    public const long MinExpirationSeconds = 10 * 60;

    /// <summary>And at most 2^32 seconds.</summary>
    public const long MaxExpirationSeconds = 1L << 32;

    /// <summary>The lifetime of a token whose request names none.</summary>
    public const long DefaultExpirationSeconds = 60 * 60;

    /// <summary>The kinds a token may be bound to: its lifetime ends with the object's.</summary>
    public static readonly IReadOnlyList<string> BindableKinds = ["Pod", "Secret", "Node"];

    /// <summary>
    /// Fills the defaults (expirationSeconds 3600, audiences = the API server's) and returns what is
    /// invalid about the request; an empty list means it may be served.
    /// </summary>
    public static IReadOnlyList<StatusCause> DefaultAndValidate(JsonObject request, IReadOnlyList<string> apiAudiences)
    {
        var spec = request["spec"] as JsonObject ?? [];
        request["spec"] = spec;
        var causes = new List<StatusCause>();
        if (spec["expirationSeconds"] is null)
        {
            spec["expirationSeconds"] = DefaultExpirationSeconds;
        }
        else if (spec["expirationSeconds"] is not JsonValue value || !value.TryGetValue<long>(out var seconds))
        {
            causes.Add(new StatusCause("FieldValueInvalid", $"Invalid value: {spec["expirationSeconds"]?.ToJsonString()}: must be an integer", "spec.expirationSeconds"));
        }
        else if (seconds < MinExpirationSeconds)
        {
            causes.Add(new StatusCause("FieldValueInvalid", $"Invalid value: {seconds}: may not specify a duration less than 10 minutes", "spec.expirationSeconds"));
        }
        else if (seconds > MaxExpirationSeconds)
        {
            causes.Add(new StatusCause("FieldValueInvalid", $"Invalid value: {seconds}: may not specify a duration larger than 2^32 seconds", "spec.expirationSeconds"));
        }

        if (spec["audiences"] is not JsonArray { Count: > 0 } audiences)
        {
            spec["audiences"] = new JsonArray([.. apiAudiences.Select(a => (JsonNode)JsonValue.Create(a))]);
        }
        else if (audiences.Any(a => a is not JsonValue v || !v.TryGetValue<string>(out _)))
        {
            causes.Add(new StatusCause("FieldValueInvalid", "Invalid value: audiences must be strings", "spec.audiences"));
        }

        return causes;
    }

    public static long ExpirationSeconds(JsonObject request) => request["spec"]!["expirationSeconds"]!.GetValue<long>();

    public static IReadOnlyList<string> Audiences(JsonObject request) =>
        [.. (request["spec"]!["audiences"] as JsonArray ?? []).Select(a => a!.GetValue<string>())];

    /// <summary>The spec's boundObjectRef, or null when the token is bound to the ServiceAccount only.</summary>
    /// <exception cref="ApiException">400 when it names a kind a token cannot be bound to.</exception>
    public static BoundObjectReference? BoundObject(JsonObject request)
    {
        if (request["spec"]?["boundObjectRef"] is not JsonObject reference)
        {
            return null;
        }

        var apiVersion = reference["apiVersion"]?.ToString() ?? "";
        var kind = reference["kind"]?.ToString() ?? "";
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = slash < 0 ? "" : apiVersion[..slash];
        var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        if (group.Length > 0 || !BindableKinds.Contains(kind, StringComparer.Ordinal))
        {
            throw ApiException.BadRequest($"cannot bind token to object of type {group}/{version}, Kind={kind}");
        }

        var name = reference["name"]?.ToString() ?? "";
        if (name.Length == 0)
        {
            throw ApiException.Invalid($"{Kind}.{Group}", Kind, Group, "", [new StatusCause("FieldValueRequired", "Required value", "spec.boundObjectRef.name")]);
        }

        return new BoundObjectReference(kind, name, reference["uid"]?.ToString() is { Length: > 0 } uid ? uid : null);
    }

    /// <summary>The request echoed with <c>status.token</c> and <c>status.expirationTimestamp</c>, as upstream answers.</summary>
    public static JsonObject Respond(JsonObject request, string ns, string serviceAccount, string token, DateTimeOffset expiry)
    {
        var metadata = request["metadata"] as JsonObject ?? [];
        metadata["name"] = serviceAccount;
        metadata["namespace"] = ns;
        metadata["creationTimestamp"] = null;
        return new JsonObject
        {
            ["kind"] = Kind,
            ["apiVersion"] = $"{Group}/v1",
            ["metadata"] = metadata.DeepClone(),
            ["spec"] = request["spec"]!.DeepClone(),
            ["status"] = new JsonObject
            {
                ["token"] = token,
                ["expirationTimestamp"] = expiry.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            },
        };
    }
}

/// <summary>The object a requested token is bound to.</summary>
public sealed record BoundObjectReference(string Kind, string Name, string? Uid);
