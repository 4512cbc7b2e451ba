using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace PodsBench.Infrastructure;

/// <summary>
/// HTTPS to one Stevedore API server as its admin (client certificate from the kubeconfig, TLS trusting
/// only the cluster CA). Requests and watches get separate connection pools.
/// </summary>
public sealed class ApiClient : IDisposable
{
    private readonly X509Certificate2 _ca;
    private readonly X509Certificate2 _clientCertificate;

    public ApiClient(string kubeconfigPath)
    {
        var kubeconfig = Kubeconfig.Load(kubeconfigPath);
        _ca = X509Certificate2.CreateFromPem(kubeconfig.CaPem);
        _clientCertificate = X509Certificate2.CreateFromPem(kubeconfig.ClientCertificatePem, kubeconfig.ClientKeyPem);
        Requests = Create(kubeconfig.Server);
        Watches = Create(kubeconfig.Server);
    }

    public HttpClient Requests { get; }

    public HttpClient Watches { get; }

    public async Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await Requests.GetAsync(path, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, "GET " + path, cancellationToken);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>POSTs a YAML manifest (the API server decodes application/yaml as upstream does).</summary>
    public async Task PostYamlAsync(string path, string yaml, CancellationToken cancellationToken)
    {
        using var content = new StringContent(yaml, Encoding.UTF8, "application/yaml");
        using var response = await Requests.PostAsync(path, content, cancellationToken);
        await EnsureSuccessAsync(response, "POST " + path, cancellationToken);
    }

    public async Task PostJsonAsync(string path, string json, CancellationToken cancellationToken)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Requests.PostAsync(path, content, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Conflict)
        {
            await EnsureSuccessAsync(response, "POST " + path, cancellationToken);
        }
    }

    /// <summary>DELETE; a missing object is fine.</summary>
    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await Requests.DeleteAsync(path, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            await EnsureSuccessAsync(response, "DELETE " + path, cancellationToken);
        }
    }

    public void Dispose()
    {
        Requests.Dispose();
        Watches.Dispose();
        _clientCertificate.Dispose();
        _ca.Dispose();
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 500)]}");
        }
    }

    private HttpClient Create(Uri server)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = ValidateServer,
                ClientCertificates = new X509CertificateCollection { _clientCertificate },
            },
        };
        return new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = server,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    private bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(_ca);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return custom.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}
