namespace Stevedore.ApiServer.Selectors;

/// <summary>One field requirement: <c>spec.nodeName=node-1</c> or <c>status.phase!=Running</c>.</summary>
public sealed record FieldRequirement(string Field, bool Equal, string Value);

/// <summary>
/// A parsed field selector. Only equality and inequality exist; which fields may be
/// selected depends on the kind (see <see cref="SelectableFields"/>).
/// </summary>
public sealed class FieldSelector
{
    public static readonly FieldSelector Everything = new([]);

    private FieldSelector(IReadOnlyList<FieldRequirement> requirements) => Requirements = requirements;

    public IReadOnlyList<FieldRequirement> Requirements { get; }

    public bool IsEmpty => Requirements.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string> fields)
    {
        foreach (var r in Requirements)
        {
            var value = fields.GetValueOrDefault(r.Field, "");
            if ((value == r.Value) != r.Equal)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The value required by an <c>f=v</c> term, if the selector has one (used to narrow a watch).</summary>
    public string? RequiredValue(string field) => Requirements.FirstOrDefault(r => r.Field == field && r.Equal)?.Value;

    public static FieldSelector Parse(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return Everything;
        }

        var requirements = new List<FieldRequirement>();
        foreach (var term in SplitTerms(selector))
        {
            var t = term.Trim();
            if (t.Length == 0)
            {
                continue;
            }

            int at;
            if ((at = t.IndexOf("!=", StringComparison.Ordinal)) > 0)
            {
                requirements.Add(new FieldRequirement(t[..at], false, Unescape(t[(at + 2)..])));
            }
            else if ((at = t.IndexOf("==", StringComparison.Ordinal)) > 0)
            {
                requirements.Add(new FieldRequirement(t[..at], true, Unescape(t[(at + 2)..])));
            }
            else if ((at = t.IndexOf('=', StringComparison.Ordinal)) > 0)
            {
                requirements.Add(new FieldRequirement(t[..at], true, Unescape(t[(at + 1)..])));
            }
            else
            {
                throw new FormatException($"invalid selector: '{selector}'; can't understand '{t}'");
            }
        }

        return new FieldSelector(requirements);
    }

    private static IEnumerable<string> SplitTerms(string s)
    {
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\')
            {
                i++;
            }
            else if (s[i] == ',')
            {
                yield return s[start..i];
                start = i + 1;
            }
        }

        yield return s[start..];
    }

    private static string Unescape(string v) => v.Replace("\\,", ",").Replace("\\=", "=").Replace("\\\\", "\\");
}
