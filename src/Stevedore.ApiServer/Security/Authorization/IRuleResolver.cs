using Stevedore.ApiServer.Security.Authentication;

namespace Stevedore.ApiServer.Security.Authorization;

/// <summary>A rule granting verbs on resources (rbac PolicyRule's resource half).</summary>
public sealed record ResourceRule(
    IReadOnlyList<string> Verbs,
    IReadOnlyList<string> ApiGroups,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> ResourceNames);

/// <summary>A rule granting verbs on non-resource URLs.</summary>
public sealed record NonResourceRule(IReadOnlyList<string> Verbs, IReadOnlyList<string> NonResourceUrls);

/// <summary>What a user may do in a namespace, as SelfSubjectRulesReview reports it.</summary>
/// <param name="Incomplete">True when the list may be missing rules (e.g. an authorizer that cannot enumerate).</param>
/// <param name="EvaluationError">Why the list is incomplete, if known.</param>
public sealed record UserRules(
    IReadOnlyList<ResourceRule> ResourceRules,
    IReadOnlyList<NonResourceRule> NonResourceRules,
    bool Incomplete,
    string EvaluationError = "");

/// <summary>
/// Lists the rules that apply to a user (authorizer.RuleResolver upstream). Authorizers that
/// can enumerate what they allow implement it next to <see cref="IAuthorizer"/>.
/// </summary>
public interface IRuleResolver
{
    UserRules RulesFor(UserInfo user, string @namespace);
}
