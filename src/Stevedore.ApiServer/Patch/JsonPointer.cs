using System.Text;

namespace Stevedore.ApiServer.Patch;

/// <summary>RFC 6901 JSON pointers: <c>/a/b~1c/0</c> with <c>~0</c> for '~' and <c>~1</c> for '/'.</summary>
public static class JsonPointer
{
    /// <summary>The reference tokens of <paramref name="pointer"/>; the empty pointer is the whole document.</summary>
    /// <exception cref="PatchException">The pointer is not "" and does not start with '/', or has a bad escape.</exception>
    public static IReadOnlyList<string> Parse(string pointer)
    {
        ArgumentNullException.ThrowIfNull(pointer);
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw new PatchException($"invalid JSON pointer \"{pointer}\": must be empty or start with '/'", PatchFailure.BadRequest);
        }

        return [.. pointer[1..].Split('/').Select(token => Unescape(token, pointer))];
    }

    /// <summary>The pointer made of <paramref name="tokens"/>, escaped.</summary>
    public static string Format(IEnumerable<string> tokens) =>
        string.Concat(tokens.Select(t => "/" + t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));

    private static string Unescape(string token, string pointer)
    {
        if (!token.Contains('~', StringComparison.Ordinal))
        {
            return token;
        }

        var result = new StringBuilder(token.Length);
        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] != '~')
            {
                result.Append(token[i]);
                continue;
            }

            var next = i + 1 < token.Length ? token[i + 1] : '\0';
            result.Append(next switch
            {
                '0' => '~',
                '1' => '/',
                _ => throw new PatchException($"invalid JSON pointer \"{pointer}\": '~' must be followed by '0' or '1'", PatchFailure.BadRequest),
            });
            i++;
        }

        return result.ToString();
    }
}
