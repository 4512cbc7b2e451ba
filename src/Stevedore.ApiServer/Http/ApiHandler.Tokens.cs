using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Security.ServiceAccounts;
using Stevedore.ApiServer.Serialization;

namespace Stevedore.ApiServer.Http;

/// <summary>TokenRequest (<c>serviceaccounts/NAME/token</c>) and the issuer's OpenID discovery documents.</summary>
public sealed partial class ApiHandler
{
    private const string OpenIdConfigurationPath = "/.well-known/openid-configuration";
    private const string JwksPath = "/openid/v1/jwks";

    private ServiceAccountTokenIssuer Issuer =>
        _serviceAccountTokens ?? throw new ApiException(404, "NotFound", "the server could not find the requested resource (this server issues no service account tokens)");

    private async Task CreateTokenAsync(HttpContext context, ApiResource resource, RequestInfo info, CancellationToken ct)
    {
        var issuer = Issuer;
        var request = await ReadObjectAsync(context, ct);
        var causes = TokenRequests.DefaultAndValidate(request, issuer.ApiAudiences);
        if (causes.Count > 0)
        {
            throw ApiException.Invalid($"{TokenRequests.Kind}.{TokenRequests.Group}", TokenRequests.Kind, TokenRequests.Group, "", causes);
        }

        var ns = info.Namespace!;
        var serviceAccount = await _registry.GetAsync(resource, ns, info.Name!, ct);
        ClaimedObject? pod = null, secret = null, node = null;
        if (TokenRequests.BoundObject(request) is { } bound)
        {
            var plural = bound.Kind switch { "Pod" => "pods", "Secret" => "secrets", _ => "nodes" };
            var boundResource = _catalog.Find("", "v1", plural)!;
            var obj = await _registry.GetAsync(boundResource, bound.Kind == "Node" ? null : ns, bound.Name, ct);
            var uid = Json.GetString(Json.Metadata(obj), "uid") ?? "";
            if (bound.Kind == "Pod" && (obj["spec"]?["serviceAccountName"]?.ToString() ?? "") != info.Name)
            {
                throw ApiException.BadRequest($"cannot bind token for serviceaccount \"{info.Name}\" to pod running with different serviceaccount name.");
            }

            if (bound.Uid is not null && bound.Uid != uid)
            {
                throw ApiException.Conflict("", bound.Kind, bound.Name,
                    $"the UID in the bound object reference ({bound.Uid}) does not match the UID in record. The object might have been deleted and then recreated");
            }

            var claimed = new ClaimedObject(bound.Name, uid);
            switch (bound.Kind)
            {
                case "Pod":
                    pod = claimed;
                    node = await NodeOfPodAsync(obj, ct);
                    break;
                case "Secret":
                    secret = claimed;
                    break;
                default:
                    node = claimed;
                    break;
            }
        }

        var now = issuer.Time.GetUtcNow();
        var expiry = now.AddSeconds(TokenRequests.ExpirationSeconds(request));
        var claims = new ServiceAccountTokenClaims(issuer.Issuer, TokenRequests.Audiences(request), now, now, expiry, Guid.NewGuid().ToString(), ns,
            new ClaimedObject(info.Name!, Json.GetString(Json.Metadata(serviceAccount), "uid") ?? ""), pod, secret, node);
        await WriteJsonAsync(context, 201, TokenRequests.Respond(request, ns, info.Name!, issuer.Sign(claims), expiry));
    }

    /// <summary>The node a pod runs on, named in its tokens for information (uid when the node exists).</summary>
    private async Task<ClaimedObject?> NodeOfPodAsync(JsonObject pod, CancellationToken ct)
    {
        if (pod["spec"]?["nodeName"]?.ToString() is not { Length: > 0 } nodeName)
        {
            return null;
        }

        try
        {
            var node = await _registry.GetAsync(_catalog.Find("", "v1", "nodes")!, null, nodeName, ct);
            return new ClaimedObject(nodeName, Json.GetString(Json.Metadata(node), "uid") ?? "");
        }
        catch (ApiException ex) when (ex.Code == 404)
        {
            return new ClaimedObject(nodeName, "");
        }
    }

    /// <summary>OpenID discovery for the ServiceAccount issuer, so other systems can verify its tokens.</summary>
    private async Task<bool> TryHandleOpenIdAsync(HttpContext context, string path)
    {
        if (path is not (OpenIdConfigurationPath or JwksPath))
        {
            return false;
        }

        var issuer = Issuer;
        if (context.Request.Method is not ("GET" or "HEAD"))
        {
            throw ApiException.MethodNotAllowed();
        }

        if (path == OpenIdConfigurationPath)
        {
            await WriteJsonAsync(context, 200, new JsonObject
            {
                ["issuer"] = issuer.Issuer,
                ["jwks_uri"] = issuer.Issuer.TrimEnd('/') + JwksPath,
                ["response_types_supported"] = new JsonArray("id_token"),
                ["subject_types_supported"] = new JsonArray("public"),
                ["id_token_signing_alg_values_supported"] = new JsonArray(ServiceAccountSigningKey.Algorithm),
            });
        }
        else
        {
            await WriteBytesAsync(context, 200, "application/jwk-set+json",
                Json.Serialize(new JsonObject { ["keys"] = new JsonArray(issuer.Key.ToJwk()) }));
        }

        return true;
    }
}
