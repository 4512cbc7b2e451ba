using System.Security.Cryptography;
using System.Text;

namespace Stevedore.ApiServer.Security.Authentication;

/// <summary>
/// Tokens known in advance (the token file, the admin token). Lookups go by the SHA-256 of the
/// token so that comparing never leaks, through timing, how much of a guess was right.
/// </summary>
public sealed class StaticTokenAuthenticator : ITokenAuthenticator
{
    private readonly Dictionary<string, UserInfo> _usersByTokenHash = new(StringComparer.Ordinal);

    /// <param name="tokens">Later entries with the same token replace earlier ones, as upstream.</param>
    public StaticTokenAuthenticator(IEnumerable<StaticToken> tokens)
    {
        foreach (var entry in tokens)
        {
            if (entry.Token.Length > 0)
            {
                _usersByTokenHash[Hash(entry.Token)] = entry.User;
            }
        }
    }

    /// <summary>Loads a token file (see <see cref="TokenFile"/>) and adds <paramref name="additional"/> entries.</summary>
    public static StaticTokenAuthenticator FromFile(string path, params StaticToken[] additional) =>
        new(TokenFile.Parse(File.ReadAllText(path)).Concat(additional));

    public int Count => _usersByTokenHash.Count;

    public ValueTask<UserInfo?> AuthenticateTokenAsync(string token, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_usersByTokenHash.GetValueOrDefault(Hash(token)));

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
