using System.Text;

namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// Kubernetes' <c>$(VAR)</c> expansion, used for env values, command, args and subPathExpr:
/// <c>$(NAME)</c> becomes the variable's value when it is defined and stays as written when not;
/// <c>$$</c> is a literal <c>$</c> (so <c>$$(NAME)</c> stays <c>$(NAME)</c>); any other <c>$</c>, and an
/// unclosed <c>$(</c>, are kept verbatim.
/// </summary>
public static class VariableExpansion
{
    public static string Expand(string input, IReadOnlyDictionary<string, string> variables) =>
        Expand(input, name => variables.TryGetValue(name, out var value) ? value : null);

    /// <param name="lookup">A variable's value, or null when it is undefined.</param>
    public static string Expand(string input, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!input.Contains('$', StringComparison.Ordinal))
        {
            return input;
        }

        var output = new StringBuilder(input.Length);
        var i = 0;
        while (i < input.Length)
        {
            var c = input[i];
            if (c != '$' || i + 1 >= input.Length)
            {
                output.Append(c);
                i++;
                continue;
            }

            var next = input[i + 1];
            if (next == '$')
            {
                output.Append('$');
                i += 2;
            }
            else if (next == '(')
            {
                var close = input.IndexOf(')', i + 2);
                if (close < 0)
                {
                    // Unclosed: the "$(" is literal and scanning resumes after it.
                    output.Append("$(");
                    i += 2;
                    continue;
                }

                var name = input[(i + 2)..close];
                output.Append(lookup(name) ?? $"$({name})");
                i = close + 1;
            }
            else
            {
                output.Append('$').Append(next);
                i += 2;
            }
        }

        return output.ToString();
    }
}
