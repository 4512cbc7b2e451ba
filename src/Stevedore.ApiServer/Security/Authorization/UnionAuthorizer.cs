namespace Stevedore.ApiServer.Security.Authorization;

/// <summary>
/// Asks authorizers in order; the first allow or deny is the answer, and "no opinion" from all
/// of them is reported as no opinion (which the HTTP layer treats as forbidden). Reasons of the
/// authorizers that had no opinion are joined, as upstream does, to explain a refusal.
/// </summary>
public sealed class UnionAuthorizer : IAuthorizer
{
    private readonly IReadOnlyList<IAuthorizer> _authorizers;

    public UnionAuthorizer(params IAuthorizer[] authorizers)
    {
        _authorizers = authorizers;
    }

    public AuthorizationDecision Authorize(AuthorizationAttributes attrs)
    {
        var reasons = new List<string>();
        foreach (var authorizer in _authorizers)
        {
            var decision = authorizer.Authorize(attrs);
            if (decision.Verdict != AuthorizationVerdict.NoOpinion)
            {
                return decision;
            }

            if (decision.Reason.Length > 0)
            {
                reasons.Add(decision.Reason);
            }
        }

        return AuthorizationDecision.NoOpinion(string.Join("\n", reasons));
    }
}
