using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Stevedore.ApiServer.Security.Pki;

/// <summary>Inspection of stored certificates when the server restarts.</summary>
internal static class CertificateChecks
{
    private const string SubjectAlternativeNameOid = "2.5.29.17";

    /// <summary>True if <paramref name="leaf"/> is signed by <paramref name="ca"/> and valid at <paramref name="now"/>.</summary>
    public static bool ChainsTo(X509Certificate2 leaf, X509Certificate2 ca, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        return chain.Build(leaf);
    }

    /// <summary>True if the certificate is still valid <paramref name="margin"/> from now.</summary>
    public static bool IsFreshFor(X509Certificate2 certificate, DateTimeOffset now, TimeSpan margin) =>
        certificate.NotAfter.ToUniversalTime() > (now + margin).UtcDateTime;

    /// <summary>The DNS names and IP addresses a certificate's SAN extension lists.</summary>
    public static ServingNames SubjectAlternativeNames(X509Certificate2 certificate)
    {
        var dns = new List<string>();
        var addresses = new List<IPAddress>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAlternativeNameOid)
            {
                continue;
            }

            var san = new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
            dns.AddRange(san.EnumerateDnsNames());
            addresses.AddRange(san.EnumerateIPAddresses());
        }

        return new ServingNames(dns, addresses);
    }
}
