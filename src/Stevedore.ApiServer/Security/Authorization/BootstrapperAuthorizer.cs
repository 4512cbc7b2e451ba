using Stevedore.ApiServer.Security.Authentication;

namespace Stevedore.ApiServer.Security.Authorization;

/// <summary>
/// Keeps bootstrap-token users (group <c>system:bootstrappers</c>) to what upstream's default RBAC gives them —
/// <c>system:node-bootstrapper</c> (create, get, list, watch certificatesigningrequests), <c>system:basic-user</c>
/// (self reviews) and <c>system:discovery</c> — and denies them everything else. Everyone else gets no opinion,
/// so the next authorizer decides. This is what makes a join token good for nothing but asking for a node
/// certificate.
/// </summary>
public sealed class BootstrapperAuthorizer : IAuthorizer
{
    public const string Name = "Bootstrapper";

    private static readonly string[] CsrVerbs = ["create", "get", "list", "watch"];
    private static readonly string[] DiscoveryPaths = ["/api", "/apis", "/healthz", "/livez", "/readyz", "/version", "/openapi"];

    public AuthorizationDecision Authorize(AuthorizationAttributes attrs)
    {
        var user = attrs.User;
        if (!user.IsInGroup(BootstrapTokens.Group) || user.IsInGroup(WellKnownGroups.Masters))
        {
            return AuthorizationDecision.NoOpinion();
        }

        return IsAllowed(attrs)
            ? AuthorizationDecision.Allow()
            : AuthorizationDecision.Deny("bootstrap tokens may only request node client certificates");
    }

    private static bool IsAllowed(AuthorizationAttributes attrs)
    {
        if (!attrs.IsResourceRequest)
        {
            var path = attrs.Path.TrimEnd('/');
            return attrs.Verb == "get" && DiscoveryPaths.Any(p => path == p || path.StartsWith(p + "/", StringComparison.Ordinal));
        }

        return (attrs.ApiGroup, attrs.Resource, attrs.Subresource, attrs.Verb) switch
        {
            ("certificates.k8s.io", "certificatesigningrequests", "", var verb) => CsrVerbs.Contains(verb),
            ("authorization.k8s.io", "selfsubjectaccessreviews" or "selfsubjectrulesreviews", "", "create") => true,
            ("authentication.k8s.io", "selfsubjectreviews", "", "create") => true,
            _ => false,
        };
    }
}
