using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stevedore.Agent;

/// <summary>
/// The token agents join with, k3s-style: <c>K10&lt;sha256 of the cluster CA&gt;::node:&lt;secret&gt;</c>.
/// The whole string is a static bearer token of a user in group system:nodes; the hash lets an
/// agent that has nothing but the token trust the server: the CA must come in the TLS handshake
/// and match it.
/// </summary>
public static class JoinToken
{
    public const string FileName = "agent-token";
    public const string User = "stevedore-agent";
    public const string NodesGroup = "system:nodes";

    private const string Prefix = "K10";
    private const string Separator = "::node:";

    /// <summary>DATA/agent-token, created (0600) on first use.</summary>
    public static string LoadOrCreate(string dataDir, X509Certificate2 ca)
    {
        ArgumentNullException.ThrowIfNull(ca);
        var path = Path.Combine(dataDir, FileName);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (CaHashOf(existing) == CaHash(ca))
            {
                return existing;
            }
        }

        var token = Prefix + CaHash(ca) + Separator + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var temp = path + ".tmp";
        File.WriteAllText(temp, token + "\n");
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
        return token;
    }

    /// <summary>The CA hash a token pins, or null for a token without one.</summary>
    public static string? CaHashOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var separator = token.IndexOf(Separator, StringComparison.Ordinal);
        return token.StartsWith(Prefix, StringComparison.Ordinal) && separator == Prefix.Length + 64 ? token[Prefix.Length..separator] : null;
    }

    public static string CaHash(X509Certificate2 ca) => Convert.ToHexStringLower(SHA256.HashData(ca.RawData));

    /// <summary>
    /// Connects to <paramref name="server"/> once and returns the CA it presents, provided its hash is
    /// <paramref name="caHash"/> and it signed the serving certificate.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server presented no such CA.</exception>
    public static async Task<X509Certificate2> FetchPinnedCaAsync(Uri server, string caHash, CancellationToken cancellationToken)
    {
        X509Certificate2? pinned = null;
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
        {
            if (certificate is null || chain is null)
            {
                return false;
            }

            foreach (var candidate in chain.ChainPolicy.ExtraStore)
            {
                if (CaHash(candidate) == caHash && IssuedBy(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), candidate))
                {
                    pinned = X509CertificateLoader.LoadCertificate(candidate.RawData);
                    return true;
                }
            }

            return false;
        };
        using var http = new HttpClient(handler);
        try
        {
            using var response = await http.GetAsync(new Uri(server, "/version"), cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException($"could not reach {server} or it did not present the cluster CA the token names: {ex.Message}", ex);
        }

        return pinned ?? throw new InvalidOperationException($"{server} did not present the cluster CA the token names");
    }

    private static bool IssuedBy(X509Certificate2 leaf, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}
