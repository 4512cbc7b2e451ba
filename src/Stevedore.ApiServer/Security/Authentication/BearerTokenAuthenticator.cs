using Microsoft.AspNetCore.Http;

namespace Stevedore.ApiServer.Security.Authentication;

/// <summary>
/// Reads <c>Authorization: Bearer TOKEN</c> and asks each token authenticator in turn; the first
/// that knows the token wins.
/// </summary>
public sealed class BearerTokenAuthenticator : IAuthenticator, ITokenAuthenticator
{
    private readonly IReadOnlyList<ITokenAuthenticator> _tokenAuthenticators;

    public BearerTokenAuthenticator(IEnumerable<ITokenAuthenticator> tokenAuthenticators)
    {
        _tokenAuthenticators = tokenAuthenticators.ToList();
    }

    public ValueTask<UserInfo?> AuthenticateAsync(HttpContext ctx)
    {
        var token = ExtractToken(ctx.Request.Headers.Authorization.ToString());
        return token is null ? ValueTask.FromResult<UserInfo?>(null) : AuthenticateTokenAsync(token, ctx.RequestAborted);
    }

    public async ValueTask<UserInfo?> AuthenticateTokenAsync(string token, CancellationToken cancellationToken)
    {
        foreach (var authenticator in _tokenAuthenticators)
        {
            var user = await authenticator.AuthenticateTokenAsync(token, cancellationToken);
            if (user is not null)
            {
                return user;
            }
        }

        return null;
    }

    /// <summary>The token of an <c>Authorization</c> header value, or <c>null</c> if it carries none.</summary>
    public static string? ExtractToken(string? authorizationHeader)
    {
        if (string.IsNullOrWhiteSpace(authorizationHeader))
        {
            return null;
        }

        var value = authorizationHeader.Trim();
        var space = value.IndexOf(' ');
        if (space < 0 || !value[..space].Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = value[(space + 1)..].Trim();
        return token.Length == 0 ? null : token;
    }
}
