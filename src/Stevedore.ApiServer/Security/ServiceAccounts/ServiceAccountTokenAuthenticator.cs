using Stevedore.ApiServer.Security.Authentication;

namespace Stevedore.ApiServer.Security.ServiceAccounts;

/// <summary>
/// Accepts bound ServiceAccount JWTs signed by this server's key: signature, issuer, validity window,
/// an audience of this server, and the ServiceAccount and bound pod (or secret or node) still existing
/// with the uids in the token. The user is <c>system:serviceaccount:NS:NAME</c> in groups
/// <c>system:serviceaccounts</c> and <c>system:serviceaccounts:NS</c>.
/// </summary>
public sealed class ServiceAccountTokenAuthenticator(ServiceAccountTokenIssuer issuer, IBoundObjectGetter objects) : ITokenAuthenticator
{
    public const string AllServiceAccountsGroup = "system:serviceaccounts";

    /// <summary>The user extra keys upstream sets for pod-bound tokens.</summary>
    public const string PodNameExtra = "authentication.kubernetes.io/pod-name";
    public const string PodUidExtra = "authentication.kubernetes.io/pod-uid";
    public const string NodeNameExtra = "authentication.kubernetes.io/node-name";
    public const string NodeUidExtra = "authentication.kubernetes.io/node-uid";
    public const string CredentialIdExtra = "authentication.kubernetes.io/credential-id";

    public async ValueTask<UserInfo?> AuthenticateTokenAsync(string token, CancellationToken cancellationToken)
    {
        var check = issuer.Check(token);
        if (check.Claims is not { } claims)
        {
            return null;
        }

        var ns = claims.Namespace;
        var serviceAccount = await objects.GetAsync("serviceaccounts", ns, claims.ServiceAccount.Name, cancellationToken);
        var pod = claims.Pod is null ? null : await objects.GetAsync("pods", ns, claims.Pod.Name, cancellationToken);
        var secret = claims.Secret is null ? null : await objects.GetAsync("secrets", ns, claims.Secret.Name, cancellationToken);
        var node = claims.Node is null || claims.Pod is not null ? null : await objects.GetAsync("nodes", null, claims.Node.Name, cancellationToken);
        if (ServiceAccountTokenValidation.CheckBoundObjects(claims, issuer.Time.GetUtcNow(), serviceAccount, pod, secret, node) is not null)
        {
            return null;
        }

        return ToUser(claims);
    }

    /// <summary>The user a valid token stands for.</summary>
    public static UserInfo ToUser(ServiceAccountTokenClaims claims)
    {
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (claims.Pod is not null)
        {
            extra[PodNameExtra] = [claims.Pod.Name];
            extra[PodUidExtra] = [claims.Pod.Uid];
        }

        if (claims.Node is not null)
        {
            extra[NodeNameExtra] = [claims.Node.Name];
            if (claims.Node.Uid.Length > 0)
            {
                extra[NodeUidExtra] = [claims.Node.Uid];
            }
        }

        if (claims.Id.Length > 0)
        {
            extra[CredentialIdExtra] = ["JTI=" + claims.Id];
        }

        return new UserInfo(claims.Subject, claims.ServiceAccount.Uid,
            [AllServiceAccountsGroup, $"{AllServiceAccountsGroup}:{claims.Namespace}", WellKnownGroups.Authenticated], extra);
    }
}
