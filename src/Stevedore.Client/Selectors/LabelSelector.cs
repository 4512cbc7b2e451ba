using k8s.Models;

namespace Stevedore.Client.Selectors;

/// <summary>
/// A parsed label selector: all requirements must hold. Built from the wire syntax
/// (<c>app=web,tier!=db,env in (a,b),!legacy</c>) or from a <see cref="V1LabelSelector"/>.
/// </summary>
public sealed class LabelSelector
{
    private readonly bool _matchesNothing;

    private LabelSelector(IReadOnlyList<LabelRequirement> requirements, bool matchesNothing)
    {
        Requirements = requirements;
        _matchesNothing = matchesNothing;
    }

    /// <summary>Matches every object (the empty selector).</summary>
    public static LabelSelector Everything { get; } = new([], false);

    /// <summary>Matches no object (what upstream makes of a null <see cref="V1LabelSelector"/>).</summary>
    public static LabelSelector Nothing { get; } = new([], true);

    public IReadOnlyList<LabelRequirement> Requirements { get; }

    public bool IsEverything => !_matchesNothing && Requirements.Count == 0;

    public bool Matches(IDictionary<string, string>? labels)
    {
        if (_matchesNothing)
        {
            return false;
        }

        foreach (var r in Requirements)
        {
            if (!r.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    public static LabelSelector FromRequirements(IEnumerable<LabelRequirement> requirements) => new(requirements.ToArray(), false);

    /// <summary>
    /// Upstream <c>LabelSelectorAsSelector</c>: null matches nothing, empty matches everything,
    /// matchLabels and matchExpressions are ANDed.
    /// </summary>
    public static LabelSelector FromV1(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return Nothing;
        }

        var requirements = new List<LabelRequirement>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            requirements.Add(new LabelRequirement(key, LabelOperator.Equals, [value]));
        }

        foreach (var e in selector.MatchExpressions ?? [])
        {
            var op = e.OperatorProperty switch
            {
                "In" => LabelOperator.In,
                "NotIn" => LabelOperator.NotIn,
                "Exists" => LabelOperator.Exists,
                "DoesNotExist" => LabelOperator.DoesNotExist,
                var other => throw new FormatException($"unknown label selector operator '{other}'"),
            };
            requirements.Add(new LabelRequirement(e.Key, op, e.Values?.ToArray() ?? []));
        }

        return new LabelSelector(requirements, false);
    }

    /// <summary>Parses the wire syntax; null or empty text is <see cref="Everything"/>.</summary>
    /// <exception cref="FormatException">The text is not a valid selector.</exception>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = new List<LabelRequirement>();
        foreach (var clause in SplitClauses(text))
        {
            requirements.Add(ParseClause(clause.Trim(), text));
        }

        return new LabelSelector(requirements, false);
    }

    public override string ToString() => _matchesNothing ? "<none>" : string.Join(',', Requirements);

    /// <summary>Splits on commas that are not inside a value set's parentheses.</summary>
    private static List<string> SplitClauses(string text)
    {
        var clauses = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    clauses.Add(text[start..i]);
                    start = i + 1;
                    break;
            }
        }

        clauses.Add(text[start..]);
        return clauses;
    }

    private static LabelRequirement ParseClause(string clause, string text)
    {
        if (clause.Length == 0)
        {
            throw new FormatException($"invalid label selector '{text}': empty requirement");
        }

        if (clause[0] == '!')
        {
            return new LabelRequirement(Key(clause[1..], text), LabelOperator.DoesNotExist, []);
        }

        var setStart = clause.IndexOf('(', StringComparison.Ordinal);
        if (setStart > 0)
        {
            if (!clause.EndsWith(')'))
            {
                throw new FormatException($"invalid label selector '{text}': unterminated value set");
            }

            var head = clause[..setStart].Trim();
            var values = clause[(setStart + 1)..^1].Split(',', StringSplitOptions.TrimEntries).Where(v => v.Length > 0).ToArray();
            if (head.EndsWith(" notin", StringComparison.Ordinal))
            {
                return new LabelRequirement(Key(head[..^6], text), LabelOperator.NotIn, values);
            }

            if (head.EndsWith(" in", StringComparison.Ordinal))
            {
                return new LabelRequirement(Key(head[..^3], text), LabelOperator.In, values);
            }

            throw new FormatException($"invalid label selector '{text}': expected 'in' or 'notin' before '('");
        }

        var notEquals = clause.IndexOf("!=", StringComparison.Ordinal);
        if (notEquals > 0)
        {
            return new LabelRequirement(Key(clause[..notEquals], text), LabelOperator.NotEquals, [clause[(notEquals + 2)..].Trim()]);
        }

        var equals = clause.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0)
        {
            var valueStart = equals + (equals + 1 < clause.Length && clause[equals + 1] == '=' ? 2 : 1);
            return new LabelRequirement(Key(clause[..equals], text), LabelOperator.Equals, [clause[valueStart..].Trim()]);
        }

        return new LabelRequirement(Key(clause, text), LabelOperator.Exists, []);
    }

    private static string Key(string key, string text)
    {
        key = key.Trim();
        if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '=' or '!' or '(' or ')'))
        {
            throw new FormatException($"invalid label selector '{text}': bad key '{key}'");
        }

        return key;
    }
}
