using Microsoft.AspNetCore.Http;

namespace Stevedore.ApiServer.Security.Authentication;

/// <summary>
/// Tries authenticators in order; the first that recognises the request wins. Every
/// recognised user gets <see cref="WellKnownGroups.Authenticated"/>, as upstream's
/// authenticated-group adder does.
/// </summary>
public sealed class UnionAuthenticator : IAuthenticator
{
    private readonly IReadOnlyList<IAuthenticator> _authenticators;

    public UnionAuthenticator(params IAuthenticator[] authenticators)
    {
        _authenticators = authenticators;
    }

    public async ValueTask<UserInfo?> AuthenticateAsync(HttpContext ctx)
    {
        foreach (var authenticator in _authenticators)
        {
            var user = await authenticator.AuthenticateAsync(ctx);
            if (user is not null)
            {
                return user.WithAuthenticatedGroup();
            }
        }

        return null;
    }
}
