using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace ApiServerBench.Infrastructure;

/// <summary>
/// HTTP/2 clients for one server: TLS trusting only the cluster CA from the kubeconfig, the admin
/// identity (client certificate or bearer token), keep-alive connections, and more connections
/// opened when one reaches the server's stream limit.
/// </summary>
public sealed class ClusterConnection : IDisposable
{
    private readonly X509Certificate2 _ca;
    private readonly X509Certificate2? _clientCertificate;
    private readonly string? _token;
    private readonly List<HttpClient> _clients = [];
    private int _connectionsOpened;

    private ClusterConnection(Uri server, X509Certificate2 ca, X509Certificate2? clientCertificate, string? token)
    {
        Server = server;
        _ca = ca;
        _clientCertificate = clientCertificate;
        _token = token;
    }

    public Uri Server { get; }

    /// <summary>TCP connections opened so far by all clients (each one a TLS handshake), to spot connection churn.</summary>
    public int ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

    public static ClusterConnection Open(string dataDir, AuthMode auth)
    {
        var kubeconfig = Kubeconfig.Load(Path.Combine(dataDir, "kubeconfig.yaml"));
        var ca = X509Certificate2.CreateFromPem(kubeconfig.CaPem);
        return auth == AuthMode.BearerToken
            ? new ClusterConnection(kubeconfig.Server, ca, null, File.ReadAllText(Path.Combine(dataDir, "tls", "admin.token")).Trim())
            : new ClusterConnection(kubeconfig.Server, ca, X509Certificate2.CreateFromPem(kubeconfig.ClientCertificatePem, kubeconfig.ClientKeyPem), null);
    }

    /// <summary>
    /// A new client with its own connection pool (watch streams get their own so they do not
    /// share connections with request/response traffic). Disposed with the connection.
    /// </summary>
    public HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            ConnectCallback = ConnectAsync,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = ValidateServer,
                ClientCertificates = _clientCertificate is null ? null : new X509CertificateCollection { _clientCertificate },
                ApplicationProtocols = [SslApplicationProtocol.Http2],
            },
        };
        var client = new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = Server,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (_token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    public void Dispose()
    {
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }

            _clients.Clear();
        }

        _clientCertificate?.Dispose();
        _ca.Dispose();
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connectionsOpened);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
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
