using System.Text;

namespace Stevedore.Kubelet.Pods;

/// <summary>
/// Upstream's <c>$(VAR)</c> expansion of a container's command and args with its environment:
/// <c>$(NAME)</c> becomes the variable's value when defined and stays as written otherwise;
/// <c>$$</c> is an escaped <c>$</c>.
/// </summary>
public static class CommandExpansion
{
    public static string Expand(string input, IReadOnlyDictionary<string, string> env)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(env);
        if (!input.Contains('$', StringComparison.Ordinal))
        {
            return input;
        }

        var output = new StringBuilder(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] != '$' || i + 1 >= input.Length)
            {
                output.Append(input[i]);
                continue;
            }

            var next = input[i + 1];
            if (next == '$')
            {
                output.Append('$');
                i++;
            }
            else if (next == '(')
            {
                var close = input.IndexOf(')', i + 2);
                if (close < 0)
                {
                    // An unterminated reference is kept verbatim.
                    output.Append(input, i, input.Length - i);
                    break;
                }

                var name = input[(i + 2)..close];
                output.Append(env.TryGetValue(name, out var value) ? value : input[i..(close + 1)]);
                i = close;
            }
            else
            {
                output.Append('$');
            }
        }

        return output.ToString();
    }
}
