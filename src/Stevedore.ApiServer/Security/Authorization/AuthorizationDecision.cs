namespace Stevedore.ApiServer.Security.Authorization;

/// <summary>What an authorizer concluded.</summary>
public enum AuthorizationVerdict
{
    /// <summary>This authorizer neither allows nor denies; the next one decides (denied if none does).</summary>
    NoOpinion,
    Allow,
    Deny,
}

/// <summary>An authorizer's verdict with a human-readable reason (may be empty).</summary>
public readonly record struct AuthorizationDecision(AuthorizationVerdict Verdict, string Reason)
{
    public bool IsAllowed => Verdict == AuthorizationVerdict.Allow;

    /// <summary>True only for an explicit deny: "no opinion" is not denied, merely not allowed.</summary>
    public bool IsDenied => Verdict == AuthorizationVerdict.Deny;

    public static AuthorizationDecision Allow(string reason = "") => new(AuthorizationVerdict.Allow, reason);

    public static AuthorizationDecision Deny(string reason = "") => new(AuthorizationVerdict.Deny, reason);

    public static AuthorizationDecision NoOpinion(string reason = "") => new(AuthorizationVerdict.NoOpinion, reason);
}
