using System.Net;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Autorest;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.Kubeconfig;
using Stevedore.Client.Connecting;
using Stevedore.Kubelet.Bootstrap;

namespace Stevedore.Agent;

/// <summary>
/// The joined agent's identity: <c>DIR/kubeconfig.yaml</c> with the node's client certificate
/// (<c>system:node:NAME</c> in <c>system:nodes</c>) and the cluster CA (also in <c>DIR/server-ca.crt</c>). When
/// there is no usable one, the join token gets it (TLS bootstrapping): the token's hash pins the CA, the token's
/// bootstrap credential submits a CertificateSigningRequest for a key made here, the server approves and signs it.
/// The token is used for nothing else and never stored; a restart with a valid certificate needs no token.
/// </summary>
internal static class NodeCredentials
{
    public const string KubeconfigFileName = "kubeconfig.yaml";
    public const string CaFileName = "server-ca.crt";

    /// <summary>How long the agent waits for its request to be approved and signed.</summary>
    public static readonly TimeSpan IssueTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The path of a kubeconfig with a valid client certificate for <paramref name="nodeName"/>: the stored one,
    /// or a new one obtained with <paramref name="token"/>. Nothing is written unless a certificate was issued.
    /// </summary>
    /// <exception cref="ArgumentException">Missing or malformed flags, or no usable certificate and no token.</exception>
    /// <exception cref="InvalidOperationException">The server is unreachable, does not have the token's CA, or refused the request.</exception>
    public static async Task<string> EnsureAsync(string? server, string? token, string dataDir, string nodeName, TextWriter log, CancellationToken cancellationToken)
    {
        var kubeconfig = Path.Combine(dataDir, KubeconfigFileName);
        string? problem = null;
        if (File.Exists(kubeconfig))
        {
            var stored = StoredCredential.Load(kubeconfig);
            problem = stored.Problem(nodeName, TimeProvider.System.GetUtcNow());
            if (problem is null && (server is null || SameServer(server, stored.Server)))
            {
                return kubeconfig;
            }

            problem ??= $"it is for {stored.Server}, not {server}";
        }

        if (server is null || token is null)
        {
            throw new ArgumentException(problem is null
                ? "give --server and --token (printed by `stevedore server`), or --kubeconfig"
                : $"{kubeconfig} cannot be used ({problem}); give --server and --token to join again");
        }

        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme != "https")
        {
            throw new ArgumentException($"--server {server}: expected an https:// URL, e.g. https://10.0.0.1:6443");
        }

        if (!JoinToken.TryParse(token.Trim(), out var caHash, out var credential) || !BootstrapTokens.TryParse(credential, out _, out _))
        {
            throw new ArgumentException("--token: expected K10<CA hash>::<id>.<secret>, as `stevedore server` prints it (DATA/agent-token)");
        }

        var caFile = Path.Combine(dataDir, CaFileName);
        var ca = File.Exists(caFile) && JoinToken.CaHash(X509CertificateLoader.LoadCertificateFromFile(caFile)) == caHash
            ? X509CertificateLoader.LoadCertificateFromFile(caFile)
            : await JoinToken.FetchPinnedCaAsync(uri, caHash, cancellationToken);
        var serverUrl = uri.GetLeftPart(UriPartial.Authority);
        var (key, requestPem) = NodeClientCertificate.CreateRequest(nodeName);
        using (key)
        {
            string certificatePem;
            using (var bootstrap = ClusterConnection.FromConfiguration(new KubernetesClientConfiguration { Host = serverUrl, AccessToken = credential, SslCaCerts = [ca] }))
            {
                certificatePem = await RequestAsync(bootstrap, requestPem, "the join token", cancellationToken);
            }

            var keyPem = key.ExportECPrivateKeyPem();
            if (NodeClientCertificate.Problem(certificatePem, keyPem, ca, nodeName, TimeProvider.System.GetUtcNow()) is { } bad)
            {
                throw new InvalidOperationException($"the server issued a certificate that cannot be used: {bad}");
            }

            // Only now does anything reach the disk: a refused token leaves no trace.
            Directory.CreateDirectory(dataDir);
            await File.WriteAllTextAsync(caFile, ca.ExportCertificatePem() + "\n", cancellationToken);
            KubeconfigWriter.Write(kubeconfig, serverUrl, ca.ExportCertificatePem() + "\n", certificatePem, keyPem);
            await log.WriteLineAsync($"Joined as {NodeClientCertificate.UserPrefix}{nodeName}: client certificate issued, kept in {kubeconfig}");
            return kubeconfig;
        }
    }

    /// <summary>
    /// Replaces a stored certificate that has used up most of its life with a new one, asked for with the current
    /// certificate (the approver accepts a node renewing its own). A failure keeps the current one.
    /// </summary>
    public static async Task RenewIfDueAsync(string kubeconfig, string nodeName, TextWriter log, CancellationToken cancellationToken)
    {
        var stored = StoredCredential.Load(kubeconfig);
        if (!stored.IsDueForRenewal(TimeProvider.System.GetUtcNow()))
        {
            return;
        }

        try
        {
            var (key, requestPem) = NodeClientCertificate.CreateRequest(nodeName);
            using (key)
            {
                using var current = ClusterConnection.FromKubeconfig(kubeconfig);
                var certificatePem = await RequestAsync(current, requestPem, "the node's certificate", cancellationToken);
                KubeconfigWriter.Write(kubeconfig, stored.Server, stored.CaPem, certificatePem, key.ExportECPrivateKeyPem());
                await log.WriteLineAsync($"Renewed the client certificate of {NodeClientCertificate.UserPrefix}{nodeName}");
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException)
        {
            await log.WriteLineAsync($"stevedore agent: could not renew the client certificate yet ({ex.Message}); the current one stays in use");
        }
    }

    /// <summary>A CSR through <paramref name="client"/>, with the API's refusals turned into one readable line.</summary>
    private static async Task<string> RequestAsync(IKubernetes client, string requestPem, string credential, CancellationToken cancellationToken)
    {
        try
        {
            return await CertificateBootstrap.RequestAsync(client, requestPem, IssueTimeout, TimeProvider.System, cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Unauthorized)
        {
            throw new InvalidOperationException($"the server refused {credential} (401 Unauthorized): it is not valid in this cluster (wrong, revoked or expired)", ex);
        }
        catch (HttpOperationException ex)
        {
            throw new InvalidOperationException($"the server refused the certificate request ({(int)ex.Response.StatusCode} {ex.Response.StatusCode}): {StatusMessage(ex)}", ex);
        }
        catch (CertificateBootstrapException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
    }

    private static string StatusMessage(HttpOperationException ex)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(ex.Response.Content)?["message"]?.ToString() ?? ex.Response.Content;
        }
        catch (System.Text.Json.JsonException)
        {
            return ex.Response.Content;
        }
    }

    private static bool SameServer(string a, string b) =>
        Uri.TryCreate(a, UriKind.Absolute, out var x) && Uri.TryCreate(b, UriKind.Absolute, out var y)
        && string.Equals(x.GetLeftPart(UriPartial.Authority), y.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);

    /// <summary>What <c>DIR/kubeconfig.yaml</c> holds.</summary>
    private sealed record StoredCredential(string Server, string CaPem, string CertificatePem, string KeyPem)
    {
        public static StoredCredential Load(string path)
        {
            var config = KubeconfigFile.Load(path);
            var context = config.Contexts.FirstOrDefault(c => c.Name == config.CurrentContext) ?? config.Contexts.First();
            var cluster = config.Clusters.First(c => c.Name == context.ContextDetails.Cluster);
            var user = config.Users.First(u => u.Name == context.ContextDetails.User);
            return new StoredCredential(cluster.ClusterEndpoint.Server, Decode(cluster.ClusterEndpoint.CertificateAuthorityData),
                Decode(user.UserCredentials.ClientCertificateData), Decode(user.UserCredentials.ClientKeyData));
        }

        public string? Problem(string nodeName, DateTimeOffset now)
        {
            try
            {
                using var ca = X509Certificate2.CreateFromPem(CaPem);
                return NodeClientCertificate.Problem(CertificatePem, KeyPem, ca, nodeName, now);
            }
            catch (System.Security.Cryptography.CryptographicException ex)
            {
                return "unreadable CA: " + ex.Message;
            }
        }

        /// <summary>Upstream's kubelet rotates somewhere between 70 % and 90 % of the lifetime; 80 % here.</summary>
        public bool IsDueForRenewal(DateTimeOffset now)
        {
            using var certificate = X509Certificate2.CreateFromPem(CertificatePem);
            var start = certificate.NotBefore.ToUniversalTime();
            var end = certificate.NotAfter.ToUniversalTime();
            return now >= start + (end - start) * 0.8;
        }

        private static string Decode(string? base64) => string.IsNullOrEmpty(base64) ? "" : System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64));
    }
}
