using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stevedore.ApiServer.Security.Pki;

/// <summary>
/// Builds the cluster's certificates: a self-signed ECDSA P-256 CA and leaf certificates
/// (serving, client) signed by it. Validity starts an hour in the past to tolerate clock skew
/// between machines that will verify them.
/// </summary>
internal static class CertificateFactory
{
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromHours(1);

    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    public static X509Certificate2 CreateCertificateAuthority(string commonName, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(commonName);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(
            certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(now - ClockSkewAllowance, now + lifetime);
    }

    public static IssuedCertificate CreateServing(
        X509Certificate2 ca, string commonName, ServingNames names, DateTimeOffset now, TimeSpan lifetime)
    {
        var san = new SubjectAlternativeNameBuilder();
        foreach (var dns in names.DnsNames)
        {
            san.AddDnsName(dns);
        }

        foreach (var address in names.Addresses)
        {
            san.AddIpAddress(address);
        }

        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(commonName);
        return CreateLeaf(ca, subject.Build(), ServerAuthOid, san.Build(), now, lifetime);
    }

    public static IssuedCertificate CreateClient(
        X509Certificate2 ca, string commonName, IEnumerable<string> organizations, DateTimeOffset now, TimeSpan lifetime)
    {
        // Kubernetes reads every O attribute as a group and the CN as the user name.
        var subject = new X500DistinguishedNameBuilder();
        foreach (var organization in organizations)
        {
            subject.AddOrganizationName(organization);
        }

        subject.AddCommonName(commonName);
        return CreateLeaf(ca, subject.Build(), ClientAuthOid, subjectAlternativeNames: null, now, lifetime);
    }

    private static IssuedCertificate CreateLeaf(
        X509Certificate2 ca,
        X500DistinguishedName subject,
        string extendedKeyUsageOid,
        X509Extension? subjectAlternativeNames,
        DateTimeOffset now,
        TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(extendedKeyUsageOid)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(
            ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (subjectAlternativeNames is not null)
        {
            request.CertificateExtensions.Add(subjectAlternativeNames);
        }

        // A leaf must not outlive its issuer, or verifiers reject it at the end of the CA's life.
        var notAfter = now + lifetime;
        if (notAfter > ca.NotAfter.ToUniversalTime())
        {
            notAfter = ca.NotAfter.ToUniversalTime();
        }

        using var certificate = request.Create(ca, now - ClockSkewAllowance, notAfter, NewSerialNumber());
        return new IssuedCertificate(certificate.ExportCertificatePem(), key.ExportECPrivateKeyPem());
    }

    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // DER integers are signed: keep the serial positive.
        serial[0] |= 0x01; // and without a leading zero byte, so its length is stable.
        return serial;
    }
}
