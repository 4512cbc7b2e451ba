using System.Net;
using System.Security.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Stevedore.ApiServer.Security.Pki;

namespace Stevedore.ApiServer.Security.Https;

/// <summary>
/// The API server's one listener: HTTPS only (TLS 1.2/1.3), HTTP/1.1 and HTTP/2 negotiated by
/// ALPN, the cluster serving certificate, and optional client certificates that must chain to
/// the cluster CA. A connection without a client certificate is accepted (bearer tokens
/// authenticate later); one with a foreign certificate fails the handshake.
/// </summary>
public static class HttpsSetup
{
    public static void Configure(KestrelServerOptions options, IPEndPoint endpoint, ClusterCertificates certs)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(certs);
        options.Listen(endpoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(https => ConfigureHttps(https, certs));
        });
    }

    /// <summary>The TLS settings alone, for hosts that create their listeners themselves.</summary>
    public static void ConfigureHttps(HttpsConnectionAdapterOptions https, ClusterCertificates certs)
    {
        ArgumentNullException.ThrowIfNull(https);
        ArgumentNullException.ThrowIfNull(certs);
        https.ServerCertificate = certs.ServingCertificate;
        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
        https.CheckCertificateRevocation = false;
        // Kestrel's default validation trusts the system store; ours trusts only the cluster CA.
        https.ClientCertificateValidation = (certificate, _, _) => certs.ClientCertificateValidator.IsValid(certificate);
    }
}
