using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;

namespace Stevedore.Controllers.Certificates;

/// <summary>Signer names, usages and condition types of certificates.k8s.io/v1, and readers over a CertificateSigningRequest.</summary>
public static class CertificateRequests
{
    /// <summary>Client certificates of kubelets (<c>system:node:NAME</c> in <c>system:nodes</c>).</summary>
    public const string KubeletClientSigner = "kubernetes.io/kube-apiserver-client-kubelet";

    /// <summary>Any client certificate the API server will honour.</summary>
    public const string ApiServerClientSigner = "kubernetes.io/kube-apiserver-client";

    public const string Approved = "Approved";
    public const string Denied = "Denied";
    public const string Failed = "Failed";

    public const string UsageDigitalSignature = "digital signature";
    public const string UsageKeyEncipherment = "key encipherment";
    public const string UsageClientAuth = "client auth";

    public const string NodeUserPrefix = "system:node:";
    public const string NodesGroup = "system:nodes";
    public const string BootstrappersGroup = "system:bootstrappers";

    public static bool HasCondition(V1CertificateSigningRequest csr, string type) =>
        csr.Status?.Conditions?.Any(c => c.Type == type) == true;

    public static bool IsApproved(V1CertificateSigningRequest csr) => HasCondition(csr, Approved) && !HasCondition(csr, Denied);

    public static bool HasCertificate(V1CertificateSigningRequest csr) => csr.Status?.Certificate is { Length: > 0 };

    /// <summary>
    /// The PKCS#10 request inside <c>spec.request</c> (PEM), its signature checked, with the extensions it asks for
    /// loaded so they can be inspected (never copied: the signer decides the extensions).
    /// </summary>
    /// <exception cref="CryptographicException">Not a signed PEM certificate request.</exception>
    public static CertificateRequest ParseRequest(V1CertificateSigningRequest csr)
    {
        var text = Encoding.ASCII.GetString(csr.Spec?.Request ?? []);
        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "CERTIFICATE REQUEST")
        {
            throw new CryptographicException("PEM block type must be CERTIFICATE REQUEST");
        }

        return CertificateRequest.LoadSigningRequestPem(text[fields.Location], HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
    }

    /// <summary>The values of one attribute type (CN 2.5.4.3, O 2.5.4.10) in a distinguished name, in order.</summary>
    public static List<string> AttributeValues(X500DistinguishedName name, string oid) =>
        [.. name.EnumerateRelativeDistinguishedNames()
            .Where(rdn => !rdn.HasMultipleElements && rdn.GetSingleElementType().Value == oid)
            .Select(rdn => rdn.GetSingleElementValue() ?? "")];

    public const string CommonNameOid = "2.5.4.3";
    public const string OrganizationOid = "2.5.4.10";
    public const string SubjectAlternativeNameOid = "2.5.29.17";
}
