namespace Stevedore.ApiServer.Security.Authorization;

/// <summary>
/// Decides whether an authenticated user may perform an action. A request is served only when
/// the verdict is <see cref="AuthorizationVerdict.Allow"/>; anything else is 403.
/// </summary>
public interface IAuthorizer
{
    AuthorizationDecision Authorize(AuthorizationAttributes attrs);
}
