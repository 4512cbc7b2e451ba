using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Stevedore.ApiServer.Security.Authentication;

namespace Stevedore.Agent;

/// <summary>
/// The token agents join with: <c>K10&lt;sha256 of the cluster CA&gt;::&lt;id&gt;.&lt;secret&gt;</c> — k3s's "secure"
/// token format wrapped around a kubeadm bootstrap token. The hash lets an agent that has nothing but the token
/// trust the server (the CA it publishes in the handshake or at <c>/cacerts</c> must match the hash and have signed
/// the server's certificate); <c>id.secret</c> is a bootstrap token backed by the Secret
/// <c>kube-system/bootstrap-token-ID</c>, good only for asking for a node client certificate (user
/// <c>system:bootstrap:ID</c> in <c>system:bootstrappers</c>, see <see cref="BootstrapTokens"/>).
/// </summary>
public static class JoinToken
{
    public const string FileName = "agent-token";

    /// <summary>The extra group the server's own join token grants (kubeadm names its default one the same way).</summary>
    public const string DefaultTokenGroup = "system:bootstrappers:stevedore:default-node-token";

    private const string Prefix = "K10";
    private const string Separator = "::";
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>
    /// The server's join token: DATA/agent-token when it pins <paramref name="ca"/> and carries a bootstrap token,
    /// else a new one. Nothing is written here (see <see cref="Save"/>): the file appears once its Secret exists, so
    /// whoever reads it can join at once.
    /// </summary>
    public static string LoadOrGenerate(string dataDir, X509Certificate2 ca, out string? replacedId)
    {
        ArgumentNullException.ThrowIfNull(ca);
        replacedId = null;
        var path = Path.Combine(dataDir, FileName);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (TryParse(existing, out var caHash, out var credential) && caHash == CaHash(ca) && BootstrapTokens.TryParse(credential, out _, out _))
            {
                return existing;
            }

            // A token of an older format or another CA: its Secret (if any) goes with it.
            replacedId = TryParse(existing, out _, out var old) && BootstrapTokens.TryParse(old, out var oldId, out _) ? oldId : null;
        }

        return Prefix + CaHash(ca) + Separator + Random(6) + "." + Random(16);
    }

    /// <summary>Writes DATA/agent-token (0600).</summary>
    public static void Save(string dataDir, string token)
    {
        var path = Path.Combine(dataDir, FileName);
        var temp = path + ".tmp";
        File.WriteAllText(temp, token + "\n");
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Splits <c>K10HASH::CREDENTIAL</c>; false for a token without a CA hash.</summary>
    public static bool TryParse(string token, out string caHash, out string credential)
    {
        ArgumentNullException.ThrowIfNull(token);
        var separator = token.IndexOf(Separator, StringComparison.Ordinal);
        var ok = token.StartsWith(Prefix, StringComparison.Ordinal) && separator == Prefix.Length + 64
            && token[Prefix.Length..separator].All(char.IsAsciiHexDigitLower);
        caHash = ok ? token[Prefix.Length..separator] : "";
        credential = ok ? token[(separator + Separator.Length)..] : "";
        return ok;
    }

    public static string CaHash(X509Certificate2 ca) => Convert.ToHexStringLower(SHA256.HashData(ca.RawData));

    /// <summary>
    /// Makes sure the bootstrap token Secret of <paramref name="token"/> exists (and that of a token it replaced is
    /// gone), through the API as any client would.
    /// </summary>
    public static async Task EnsureSecretAsync(IKubernetes admin, string token, string? replacedId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        if (!TryParse(token, out _, out var credential) || !BootstrapTokens.TryParse(credential, out var id, out var secret))
        {
            throw new ArgumentException("not a join token with a bootstrap token", nameof(token));
        }

        if (replacedId is not null && replacedId != id)
        {
            try
            {
                await admin.CoreV1.DeleteNamespacedSecretAsync(BootstrapTokens.SecretName(replacedId), BootstrapTokens.Namespace, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
            }
        }

        var wanted = new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new V1ObjectMeta { Name = BootstrapTokens.SecretName(id), NamespaceProperty = BootstrapTokens.Namespace },
            Type = BootstrapTokens.SecretType,
            StringData = new Dictionary<string, string>
            {
                [BootstrapTokens.Keys.TokenId] = id,
                [BootstrapTokens.Keys.TokenSecret] = secret,
                [BootstrapTokens.Keys.UsageAuthentication] = "true",
                [BootstrapTokens.Keys.ExtraGroups] = DefaultTokenGroup,
                [BootstrapTokens.Keys.Description] = "The join token of stevedore server (DATA/agent-token): nodes use it to request their client certificate.",
            },
        };
        try
        {
            await admin.CoreV1.CreateNamespacedSecretAsync(wanted, BootstrapTokens.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Kept from an earlier start; put the fields back in case someone edited them.
            var existing = await admin.CoreV1.ReadNamespacedSecretAsync(wanted.Metadata.Name, BootstrapTokens.Namespace, cancellationToken: cancellationToken);
            wanted.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await admin.CoreV1.ReplaceNamespacedSecretAsync(wanted, wanted.Metadata.Name, BootstrapTokens.Namespace, cancellationToken: cancellationToken);
        }
    }

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

    private static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
