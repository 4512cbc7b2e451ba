namespace Stevedore.ApiServer.Security.Authentication;

/// <summary>
/// Recognises a bearer token. One implementation per token kind (static token file,
/// ServiceAccount JWTs, bootstrap join tokens); <see cref="BearerTokenAuthenticator"/> asks them
/// in order, and TokenReview uses the same chain.
/// </summary>
public interface ITokenAuthenticator
{
    /// <summary>The token's owner, or <c>null</c> if this authenticator does not know the token.</summary>
    ValueTask<UserInfo?> AuthenticateTokenAsync(string token, CancellationToken cancellationToken);
}
