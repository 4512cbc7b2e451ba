using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Security.ServiceAccounts;

/// <summary>A name and uid inside the private <c>kubernetes.io</c> claim.</summary>
public sealed record ClaimedObject(string Name, string Uid);

/// <summary>
/// The claims of a bound ServiceAccount token, as upstream writes them: the registered claims
/// <c>iss sub aud exp iat nbf jti</c> and the private <c>kubernetes.io</c> claim naming the namespace,
/// the ServiceAccount and the object the token is bound to (a pod, with its node, or a secret or a node).
/// </summary>
public sealed record ServiceAccountTokenClaims(
    string Issuer,
    IReadOnlyList<string> Audiences,
    DateTimeOffset IssuedAt,
    DateTimeOffset NotBefore,
    DateTimeOffset Expiry,
    string Id,
    string Namespace,
    ClaimedObject ServiceAccount,
    ClaimedObject? Pod = null,
    ClaimedObject? Secret = null,
    ClaimedObject? Node = null)
{
    public const string PrivateClaim = "kubernetes.io";

    /// <summary><c>system:serviceaccount:NAMESPACE:NAME</c>, the user the token authenticates as.</summary>
    public string Subject => UserName(Namespace, ServiceAccount.Name);

    public static string UserName(string ns, string name) => $"system:serviceaccount:{ns}:{name}";

    public JsonObject ToJson()
    {
        var kubernetes = new JsonObject
        {
            ["namespace"] = Namespace,
            ["serviceaccount"] = Ref(ServiceAccount),
        };
        if (Pod is not null)
        {
            kubernetes["pod"] = Ref(Pod);
        }

        if (Secret is not null)
        {
            kubernetes["secret"] = Ref(Secret);
        }

        if (Node is not null)
        {
            kubernetes["node"] = Ref(Node);
        }

        return new JsonObject
        {
            ["aud"] = new JsonArray([.. Audiences.Select(a => (JsonNode)JsonValue.Create(a))]),
            ["exp"] = Expiry.ToUnixTimeSeconds(),
            ["iat"] = IssuedAt.ToUnixTimeSeconds(),
            ["iss"] = Issuer,
            ["jti"] = Id,
            [PrivateClaim] = kubernetes,
            ["nbf"] = NotBefore.ToUnixTimeSeconds(),
            ["sub"] = Subject,
        };
    }

    /// <summary>Reads the claims of a token payload; <paramref name="error"/> says what is missing or malformed.</summary>
    public static ServiceAccountTokenClaims? FromJson(JsonObject payload, out string? error)
    {
        error = null;
        var issuer = Text(payload["iss"]);
        var subject = Text(payload["sub"]);
        var audiences = payload["aud"] switch
        {
            JsonArray array => array.Select(Text).OfType<string>().ToList(),
            JsonValue value when Text(value) is { } single => [single],
            _ => null,
        };
        var exp = Seconds(payload["exp"]);
        var iat = Seconds(payload["iat"]);
        var nbf = Seconds(payload["nbf"]) ?? iat;
        var kubernetes = payload[PrivateClaim] as JsonObject;
        var ns = Text(kubernetes?["namespace"]);
        var serviceAccount = ReadRef(kubernetes?["serviceaccount"]);
        if (issuer is null || subject is null || audiences is null || exp is null || iat is null || nbf is null || ns is null || serviceAccount is null)
        {
            error = "the token lacks a required claim (iss, sub, aud, exp, iat or kubernetes.io namespace/serviceaccount)";
            return null;
        }

        var claims = new ServiceAccountTokenClaims(issuer, audiences, iat.Value, nbf.Value, exp.Value, Text(payload["jti"]) ?? "", ns, serviceAccount,
            ReadRef(kubernetes!["pod"]), ReadRef(kubernetes["secret"]), ReadRef(kubernetes["node"]));
        if (claims.Subject != subject)
        {
            error = "the token's subject does not match its kubernetes.io claim";
            return null;
        }

        return claims;
    }

    private static JsonObject Ref(ClaimedObject o) => new() { ["name"] = o.Name, ["uid"] = o.Uid };

    private static ClaimedObject? ReadRef(JsonNode? node) =>
        node is JsonObject o && Text(o["name"]) is { Length: > 0 } name ? new ClaimedObject(name, Text(o["uid"]) ?? "") : null;

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static DateTimeOffset? Seconds(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<double>(out var d) && double.IsFinite(d) && Math.Abs(d) < 1e11
            ? DateTimeOffset.FromUnixTimeSeconds((long)d)
            : null;
}
