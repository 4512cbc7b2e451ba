using k8s.Models;

namespace Stevedore.Scheduler.Util;

/// <summary>
/// A compiled <see cref="V1LabelSelector"/>. As upstream: a null selector matches nothing,
/// an empty selector matches everything.
/// </summary>
public sealed class LabelSelectorMatcher
{
    private readonly bool _nothing;
    private readonly IReadOnlyList<(string Key, string Operator, HashSet<string> Values)> _requirements;

    private LabelSelectorMatcher(bool nothing, IReadOnlyList<(string, string, HashSet<string>)> requirements)
    {
        _nothing = nothing;
        _requirements = requirements;
    }

    public static LabelSelectorMatcher Nothing { get; } = new(true, []);

    public static LabelSelectorMatcher Everything { get; } = new(false, []);

    public bool IsEverything => !_nothing && _requirements.Count == 0;

    public static LabelSelectorMatcher Compile(V1LabelSelector? selector) => Compile(selector, null);

    /// <summary>Compiles a selector, adding "key in (value)" for each extra pair (matchLabelKeys).</summary>
    public static LabelSelectorMatcher Compile(V1LabelSelector? selector, IEnumerable<KeyValuePair<string, string>>? extra)
    {
        if (selector is null)
        {
            return Nothing;
        }

        var reqs = new List<(string, string, HashSet<string>)>();
        if (selector.MatchLabels is { } labels)
        {
            foreach (var (k, v) in labels)
            {
                reqs.Add((k, "In", new HashSet<string>(StringComparer.Ordinal) { v }));
            }
        }

        if (selector.MatchExpressions is { } exprs)
        {
            foreach (var e in exprs)
            {
                reqs.Add((e.Key, e.OperatorProperty, new HashSet<string>(e.Values ?? [], StringComparer.Ordinal)));
            }
        }

        if (extra is not null)
        {
            foreach (var (k, v) in extra)
            {
                reqs.Add((k, "In", new HashSet<string>(StringComparer.Ordinal) { v }));
            }
        }

        return new LabelSelectorMatcher(false, reqs);
    }

    public bool Matches(IDictionary<string, string>? labels)
    {
        if (_nothing)
        {
            return false;
        }

        foreach (var (key, op, values) in _requirements)
        {
            string? value = null;
            var has = labels is not null && labels.TryGetValue(key, out value);
            var ok = op switch
            {
                "In" => has && values.Contains(value!),
                "NotIn" => !has || !values.Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
