using Microsoft.AspNetCore.Http;

namespace Stevedore.ApiServer.Security.Authentication;

/// <summary>
/// Recognises the caller of an HTTP request. There is no anonymous user: when every
/// authenticator answers <c>null</c> the HTTP layer answers 401 with
/// <see cref="AuthenticationStatus.Unauthorized"/>.
/// </summary>
public interface IAuthenticator
{
    /// <summary>The caller, or <c>null</c> if this authenticator does not recognise the request.</summary>
    ValueTask<UserInfo?> AuthenticateAsync(HttpContext ctx);
}
