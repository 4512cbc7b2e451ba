using Stevedore.ApiServer.Security.Authentication;

namespace Stevedore.ApiServer.Security.Authorization;

/// <summary>
/// Allows every action to every authenticated user (member of
/// <see cref="WellKnownGroups.Authenticated"/>) and has no opinion otherwise. The stand-in until
/// RBAC is in place.
/// </summary>
public sealed class AllowAuthenticatedAuthorizer : IAuthorizer, IRuleResolver
{
    public const string Name = "AllowAuthenticated";

    private static readonly UserRules Everything = new(
        [new ResourceRule(["*"], ["*"], ["*"], [])],
        [new NonResourceRule(["*"], ["*"])],
        Incomplete: false);

    private static readonly UserRules Nothing = new([], [], Incomplete: false);

    public AuthorizationDecision Authorize(AuthorizationAttributes attrs) =>
        attrs.User.IsInGroup(WellKnownGroups.Authenticated)
            ? AuthorizationDecision.Allow()
            : AuthorizationDecision.NoOpinion();

    public UserRules RulesFor(UserInfo user, string @namespace) =>
        user.IsInGroup(WellKnownGroups.Authenticated) ? Everything : Nothing;
}
