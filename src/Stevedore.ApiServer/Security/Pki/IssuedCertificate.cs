using System.Security.Cryptography.X509Certificates;

namespace Stevedore.ApiServer.Security.Pki;

/// <summary>A certificate signed by the cluster CA together with its private key, both PEM.</summary>
public sealed record IssuedCertificate(string CertificatePem, string KeyPem)
{
    /// <summary>
    /// The certificate with its private key, usable by <c>SslStream</c> (client or server side).
    /// </summary>
    public X509Certificate2 ToX509Certificate2() => CertificateLoading.FromPem(CertificatePem, KeyPem);
}
