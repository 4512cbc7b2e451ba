namespace Stevedore.ApiServer.Selectors;

/// <summary>The operators of the label selector string syntax.</summary>
public enum SelectorOperator
{
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

/// <summary>One requirement: key, operator, values.</summary>
public sealed record LabelRequirement(string Key, SelectorOperator Operator, IReadOnlyList<string> Values)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var has = labels.TryGetValue(Key, out var value);
        return Operator switch
        {
            SelectorOperator.Equals => has && value == Values[0],
            SelectorOperator.NotEquals => !has || value != Values[0],
            SelectorOperator.In => has && Values.Contains(value!),
            SelectorOperator.NotIn => !has || !Values.Contains(value!),
            SelectorOperator.Exists => has,
            SelectorOperator.DoesNotExist => !has,
            SelectorOperator.GreaterThan => has && long.TryParse(value, out var g) && g > long.Parse(Values[0]),
            SelectorOperator.LessThan => has && long.TryParse(value, out var l) && l < long.Parse(Values[0]),
            _ => false,
        };
    }
}

/// <summary>
/// A parsed label selector (<c>app=web,tier!=db,env in (a,b),!legacy,release</c>); all
/// requirements must hold. The empty selector matches everything.
/// </summary>
public sealed class LabelSelector
{
    public static readonly LabelSelector Everything = new([]);

    private LabelSelector(IReadOnlyList<LabelRequirement> requirements) => Requirements = requirements;

    public IReadOnlyList<LabelRequirement> Requirements { get; }

    public bool IsEmpty => Requirements.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var r in Requirements)
        {
            if (!r.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses the string syntax; throws <see cref="FormatException"/> with an upstream-like message.</summary>
    public static LabelSelector Parse(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return Everything;
        }

        var requirements = new List<LabelRequirement>();
        var i = 0;
        var s = selector;
        while (i < s.Length)
        {
            SkipSpace(s, ref i);
            if (i >= s.Length)
            {
                break;
            }

            if (s[i] == '!')
            {
                i++;
                SkipSpace(s, ref i);
                var key = ReadKey(s, ref i);
                requirements.Add(new LabelRequirement(ValidKey(key), SelectorOperator.DoesNotExist, []));
            }
            else
            {
                var key = ValidKey(ReadKey(s, ref i));
                SkipSpace(s, ref i);
                if (i >= s.Length || s[i] == ',')
                {
                    requirements.Add(new LabelRequirement(key, SelectorOperator.Exists, []));
                }
                else if (Match(s, ref i, "==") || Match(s, ref i, "="))
                {
                    requirements.Add(new LabelRequirement(key, SelectorOperator.Equals, [ReadValue(s, ref i)]));
                }
                else if (Match(s, ref i, "!="))
                {
                    requirements.Add(new LabelRequirement(key, SelectorOperator.NotEquals, [ReadValue(s, ref i)]));
                }
                else if (Match(s, ref i, ">"))
                {
                    requirements.Add(new LabelRequirement(key, SelectorOperator.GreaterThan, [ReadInteger(s, ref i)]));
                }
                else if (Match(s, ref i, "<"))
                {
                    requirements.Add(new LabelRequirement(key, SelectorOperator.LessThan, [ReadInteger(s, ref i)]));
                }
                else if (MatchWord(s, ref i, "notin"))
                {
                    requirements.Add(new LabelRequirement(key, SelectorOperator.NotIn, ReadSet(s, ref i)));
                }
                else if (MatchWord(s, ref i, "in"))
                {
                    requirements.Add(new LabelRequirement(key, SelectorOperator.In, ReadSet(s, ref i)));
                }
                else
                {
                    throw new FormatException($"unable to parse requirement: found '{s[i..]}', expected: in, notin, =, ==, !=, gt, lt");
                }
            }

            SkipSpace(s, ref i);
            if (i < s.Length)
            {
                if (s[i] != ',')
                {
                    throw new FormatException($"found '{s[i]}', expected: ',' or 'end of string'");
                }

                i++;
            }
        }

        return new LabelSelector(requirements);
    }

    /// <summary>A selector requiring every pair of <paramref name="matchLabels"/>.</summary>
    public static LabelSelector FromLabels(IReadOnlyDictionary<string, string> matchLabels) =>
        new([.. matchLabels.Select(kv => new LabelRequirement(kv.Key, SelectorOperator.Equals, [kv.Value]))]);

    public override string ToString() => string.Join(",", Requirements.Select(r => r.Operator switch
    {
        SelectorOperator.Equals => $"{r.Key}={r.Values[0]}",
        SelectorOperator.NotEquals => $"{r.Key}!={r.Values[0]}",
        SelectorOperator.In => $"{r.Key} in ({string.Join(",", r.Values)})",
        SelectorOperator.NotIn => $"{r.Key} notin ({string.Join(",", r.Values)})",
        SelectorOperator.Exists => r.Key,
        SelectorOperator.DoesNotExist => "!" + r.Key,
        SelectorOperator.GreaterThan => $"{r.Key}>{r.Values[0]}",
        _ => $"{r.Key}<{r.Values[0]}",
    }));

    private static void SkipSpace(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }
    }

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/';

    private static string ReadKey(string s, ref int i)
    {
        var start = i;
        while (i < s.Length && IsKeyChar(s[i]))
        {
            i++;
        }

        return s[start..i];
    }

    private static string ValidKey(string key)
    {
        if (key.Length == 0)
        {
            throw new FormatException("found '', expected: identifier");
        }

        return key;
    }

    private static string ReadValue(string s, ref int i)
    {
        SkipSpace(s, ref i);
        var start = i;
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '-' or '_' or '.'))
        {
            i++;
        }

        return s[start..i];
    }

    private static string ReadInteger(string s, ref int i)
    {
        var value = ReadValue(s, ref i);
        if (!long.TryParse(value, out _))
        {
            throw new FormatException($"for 'Gt', 'Lt' operators, the value must be an integer: {value}");
        }

        return value;
    }

    private static List<string> ReadSet(string s, ref int i)
    {
        SkipSpace(s, ref i);
        if (i >= s.Length || s[i] != '(')
        {
            throw new FormatException("found '" + (i < s.Length ? s[i..] : "") + "', expected: '('");
        }

        i++;
        var values = new List<string>();
        while (true)
        {
            values.Add(ReadValue(s, ref i));
            SkipSpace(s, ref i);
            if (i >= s.Length)
            {
                throw new FormatException("found '', expected: ')'");
            }

            if (s[i] == ')')
            {
                i++;
                return values;
            }

            if (s[i] != ',')
            {
                throw new FormatException($"found '{s[i]}', expected: ',' or ')'");
            }

            i++;
        }
    }

    private static bool Match(string s, ref int i, string token)
    {
        if (string.CompareOrdinal(s, i, token, 0, token.Length) == 0)
        {
            i += token.Length;
            return true;
        }

        return false;
    }

    private static bool MatchWord(string s, ref int i, string word)
    {
        if (string.CompareOrdinal(s, i, word, 0, word.Length) == 0 &&
            (i + word.Length >= s.Length || char.IsWhiteSpace(s[i + word.Length]) || s[i + word.Length] == '('))
        {
            i += word.Length;
            return true;
        }

        return false;
    }
}
