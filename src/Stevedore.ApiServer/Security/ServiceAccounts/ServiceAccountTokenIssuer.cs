using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Security.ServiceAccounts;

/// <summary>
/// Signs and checks bound ServiceAccount tokens for one issuer. The API server's own audiences
/// (<see cref="ApiAudiences"/>) are what a token must name to authenticate against this server;
/// TokenRequests without audiences get them.
/// </summary>
public sealed class ServiceAccountTokenIssuer
{
    /// <summary>Upstream's conventional issuer and API audience for in-cluster tokens.</summary>
    public const string DefaultIssuer = "https://kubernetes.default.svc.cluster.local";

    public ServiceAccountTokenIssuer(ServiceAccountSigningKey key, TimeProvider time, string issuer = DefaultIssuer, IReadOnlyList<string>? apiAudiences = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(issuer);
        Key = key;
        Time = time;
        Issuer = issuer;
        ApiAudiences = apiAudiences is { Count: > 0 } ? apiAudiences : [issuer];
    }

    public ServiceAccountSigningKey Key { get; }

    public TimeProvider Time { get; }

    /// <summary>The <c>iss</c> claim of every token issued here.</summary>
    public string Issuer { get; }

    public IReadOnlyList<string> ApiAudiences { get; }

    /// <summary>The signed compact JWS of <paramref name="claims"/>.</summary>
    public string Sign(ServiceAccountTokenClaims claims)
    {
        var header = new JsonObject { ["alg"] = ServiceAccountSigningKey.Algorithm, ["kid"] = Key.KeyId };
        return JsonWebToken.Encode(header, claims.ToJson(), input => Key.Sign(input));
    }

    /// <summary>
    /// The claims of a token this issuer signed, with signature, issuer, validity window and audience
    /// checked; the bound objects are not (see <see cref="ServiceAccountTokenAuthenticator"/>).
    /// </summary>
    public TokenCheck Check(string token)
    {
        var jws = JsonWebToken.TryDecode(token);
        if (jws is null)
        {
            return TokenCheck.NotOurs;
        }

        // Tokens of another issuer (or not service account tokens at all) belong to other authenticators.
        if (jws.Payload["iss"] is not JsonValue iss || !iss.TryGetValue<string>(out var issuer) || issuer != Issuer)
        {
            return TokenCheck.NotOurs;
        }

        if (jws.Header["alg"]?.ToString() != ServiceAccountSigningKey.Algorithm ||
            (jws.Header["kid"] is { } kid && kid.ToString() != Key.KeyId) ||
            !Key.Verify(jws.SigningInput, jws.Signature))
        {
            return TokenCheck.Rejected("invalid signature");
        }

        var claims = ServiceAccountTokenClaims.FromJson(jws.Payload, out var error);
        if (claims is null)
        {
            return TokenCheck.Rejected(error!);
        }

        var failure = ServiceAccountTokenValidation.CheckTimesAndAudience(claims, Time.GetUtcNow(), ApiAudiences);
        return failure is null ? TokenCheck.Accepted(claims) : TokenCheck.Rejected(failure);
    }
}

/// <summary>The outcome of <see cref="ServiceAccountTokenIssuer.Check"/>.</summary>
public sealed record TokenCheck(bool IsOurs, ServiceAccountTokenClaims? Claims, string? Failure)
{
    public static readonly TokenCheck NotOurs = new(false, null, null);

    public static TokenCheck Rejected(string failure) => new(true, null, failure);

    public static TokenCheck Accepted(ServiceAccountTokenClaims claims) => new(true, claims, null);
}
