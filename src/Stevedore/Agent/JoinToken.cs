using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stevedore.Agent;

/// <summary>
/// The token agents join with, k3s-style: <c>K10&lt;sha256 of the cluster CA&gt;::node:&lt;secret&gt;</c>.
/// The whole string is a static bearer token of a user in group system:nodes; the hash lets an
/// agent that has nothing but the token trust the server: the CA it publishes (in the handshake or
/// at <c>/cacerts</c>) must match the hash and have signed the server's certificate.
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
    /// Learns the cluster CA from <paramref name="server"/> and returns it, provided its hash is
    /// <paramref name="caHash"/> and it signed the certificate the server serves with. The CA comes from the
    /// handshake when the server's TLS stack sends it, else from the unauthenticated <c>/cacerts</c> (as k3s
    /// agents fetch it: .NET never sends a self-signed root). Until the CA is checked nothing secret is sent.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server presented no such CA.</exception>
    public static async Task<X509Certificate2> FetchPinnedCaAsync(Uri server, string caHash, CancellationToken cancellationToken)
    {
        X509Certificate2? pinned = null;
        X509Certificate2? leaf = null;
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
        {
            if (certificate is null)
            {
                return false;
            }

            leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            foreach (var candidate in chain?.ChainPolicy.ExtraStore ?? [])
            {
                if (CaHash(candidate) == caHash && IssuedBy(leaf, candidate))
                {
                    pinned = X509CertificateLoader.LoadCertificate(candidate.RawData);
                }
            }

            // Not trusted yet: only the public CA is read over this connection, and the leaf is checked against it below.
            return true;
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        string? published = null;
        try
        {
            using var response = await http.GetAsync(new Uri(server, "/cacerts"), cancellationToken);
            if (pinned is null && response.IsSuccessStatusCode)
            {
                published = await response.Content.ReadAsStringAsync(cancellationToken);
            }
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException($"could not reach {server}: {ex.Message}", ex);
        }

        if (pinned is null && leaf is not null && published is not null)
        {
            var certificates = new X509Certificate2Collection();
            try
            {
                certificates.ImportFromPem(published);
            }
            catch (CryptographicException)
            {
                // Not PEM: no CA to match.
            }

            pinned = certificates.FirstOrDefault(c => CaHash(c) == caHash && IssuedBy(leaf, c));
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
