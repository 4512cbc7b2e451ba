using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stevedore.Kubelet.Bootstrap;

/// <summary>
/// The kubelet's client certificate: a key the node makes itself (ECDSA P-256, never leaves the node), a PKCS#10
/// request for <c>CN=system:node:NAME, O=system:nodes</c> (upstream's kubelet identity, which the Node authorizer and
/// the CSR approver recognise), and the check that a stored certificate is still good for this node.
/// </summary>
public static class NodeClientCertificate
{
    public const string SignerName = "kubernetes.io/kube-apiserver-client-kubelet";
    public const string UserPrefix = "system:node:";
    public const string NodesGroup = "system:nodes";

    /// <summary>ECDSA keys need no key encipherment (upstream's kubelet asks for just these two).</summary>
    public static readonly string[] Usages = ["digital signature", "client auth"];

    /// <summary>A new key and the PEM request for <paramref name="nodeName"/> signed with it.</summary>
    public static (ECDsa Key, string RequestPem) CreateRequest(string nodeName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeName);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName(NodesGroup);
        subject.AddCommonName(UserPrefix + nodeName);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        return (key, request.CreateSigningRequestPem());
    }

    /// <summary>
    /// Why <paramref name="certificatePem"/> with <paramref name="keyPem"/> is not a usable client certificate of
    /// <paramref name="nodeName"/> signed by <paramref name="ca"/> at <paramref name="now"/>, or null when it is.
    /// </summary>
    public static string? Problem(string certificatePem, string keyPem, X509Certificate2 ca, string nodeName, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ca);
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (CryptographicException ex)
        {
            return "unreadable certificate or key: " + ex.Message;
        }

        using (certificate)
        {
            if (certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false) != UserPrefix + nodeName)
            {
                return $"it is not for node {nodeName} but {certificate.Subject}";
            }

            if (now < certificate.NotBefore.ToUniversalTime() || now >= certificate.NotAfter.ToUniversalTime())
            {
                return $"it is valid from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}";
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            return chain.Build(certificate) ? null : "it is not signed by the cluster CA";
        }
    }
}
