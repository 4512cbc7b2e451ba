using k8s.Models;

namespace Stevedore.Controllers.Common;

/// <summary>Evaluates a <see cref="V1LabelSelector"/> against a label set, with upstream controller semantics.</summary>
public static class LabelSelectorMatcher
{
    /// <summary>
    /// A null selector matches nothing (controllers must never grab every pod by accident);
    /// an empty selector matches everything.
    /// </summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector is null)
        {
            return false;
        }

        labels ??= new Dictionary<string, string>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            var present = labels.TryGetValue(requirement.Key, out var actual);
            var values = requirement.Values ?? [];
            var ok = requirement.OperatorProperty switch
            {
                "In" => present && values.Contains(actual!),
                "NotIn" => !present || !values.Contains(actual!),
                "Exists" => present,
                "DoesNotExist" => !present,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True for a selector with no requirements at all (it selects everything).</summary>
    public static bool IsEmpty(V1LabelSelector? selector) =>
        selector is not null && (selector.MatchLabels?.Count ?? 0) == 0 && (selector.MatchExpressions?.Count ?? 0) == 0;

    /// <summary>True when every label of <paramref name="required"/> is present with the same value.</summary>
    public static bool IsSubset(IDictionary<string, string>? required, IDictionary<string, string>? labels) =>
        (required ?? new Dictionary<string, string>()).All(kv => labels is not null && labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
