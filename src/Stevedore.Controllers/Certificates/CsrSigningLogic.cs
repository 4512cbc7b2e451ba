using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;

namespace Stevedore.Controllers.Certificates;

/// <summary>What the signer does with one request.</summary>
public enum SigningAction
{
    /// <summary>Not approved yet, already issued or failed, denied, or another signer's.</summary>
    None,

    /// <summary>Approved and valid for its signer: issue the certificate.</summary>
    Sign,

    /// <summary>Approved but not something the signer may issue: set the Failed condition.</summary>
    Fail,
}

public sealed record SigningDecision(SigningAction Action, string Message = "")
{
    public static readonly SigningDecision None = new(SigningAction.None);
}

/// <summary>
/// The signer's decision and the signing itself (upstream <c>csrsigning</c> for the two client signers): approved
/// requests for <c>kubernetes.io/kube-apiserver-client-kubelet</c> (held to <see cref="NodeClientRequest"/>) and
/// <c>kubernetes.io/kube-apiserver-client</c> (client usages only) get a certificate from the cluster CA, valid
/// for <c>spec.expirationSeconds</c> or the signing duration (a year), whichever is shorter, at least 10
/// minutes, never past the CA; backdated 5 minutes for clock skew. The subject and key come from the request;
/// the extensions are the signer's own (the requested ones are ignored).
/// </summary>
public static class CsrSigningLogic
{
    public const string FailureReason = "SignerValidationFailure";

    /// <summary>Upstream's <c>--cluster-signing-duration</c> default.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromDays(365);

    public static readonly TimeSpan MinDuration = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    private static readonly HashSet<string> ClientUsages = [CertificateRequests.UsageDigitalSignature, CertificateRequests.UsageKeyEncipherment, CertificateRequests.UsageClientAuth];

    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    public static SigningDecision Decide(V1CertificateSigningRequest csr)
    {
        ArgumentNullException.ThrowIfNull(csr);
        if (!CertificateRequests.IsApproved(csr) || CertificateRequests.HasCertificate(csr) || CertificateRequests.HasCondition(csr, CertificateRequests.Failed))
        {
            return SigningDecision.None;
        }

        switch (csr.Spec?.SignerName)
        {
            case CertificateRequests.KubeletClientSigner:
                var node = NodeClientRequest.Check(csr);
                return node.IsNodeClient ? new SigningDecision(SigningAction.Sign) : new SigningDecision(SigningAction.Fail, node.Problem);
            case CertificateRequests.ApiServerClientSigner:
                try
                {
                    CertificateRequests.ParseRequest(csr);
                }
                catch (CryptographicException ex)
                {
                    return new SigningDecision(SigningAction.Fail, "unreadable request: " + ex.Message);
                }

                var usages = csr.Spec.Usages ?? [];
                return usages.Contains(CertificateRequests.UsageClientAuth) && usages.All(ClientUsages.Contains)
                    ? new SigningDecision(SigningAction.Sign)
                    : new SigningDecision(SigningAction.Fail, "usages must be client auth, digital signature and key encipherment only");
            default:
                return SigningDecision.None;
        }
    }

    /// <summary>How long the certificate will be valid: the requested duration capped by <paramref name="maxDuration"/>, at least 10 minutes.</summary>
    public static TimeSpan Duration(V1CertificateSigningRequest csr, TimeSpan maxDuration)
    {
        ArgumentNullException.ThrowIfNull(csr);
        var requested = csr.Spec?.ExpirationSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : maxDuration;
        var duration = requested < maxDuration ? requested : maxDuration;
        return duration < MinDuration ? MinDuration : duration;
    }

    /// <summary>Issues the certificate (PEM) for an approved request with <paramref name="ca"/>, which must hold its private key.</summary>
    /// <exception cref="CryptographicException">The request is unreadable or the CA cannot sign.</exception>
    public static string Sign(V1CertificateSigningRequest csr, X509Certificate2 ca, DateTimeOffset now, TimeSpan maxDuration)
    {
        ArgumentNullException.ThrowIfNull(csr);
        ArgumentNullException.ThrowIfNull(ca);
        var requested = CertificateRequests.ParseRequest(csr);
        var request = new CertificateRequest(requested.SubjectName, requested.PublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        var usages = csr.Spec.Usages ?? [];
        var keyUsage = X509KeyUsageFlags.None;
        if (usages.Contains(CertificateRequests.UsageDigitalSignature))
        {
            keyUsage |= X509KeyUsageFlags.DigitalSignature;
        }

        if (usages.Contains(CertificateRequests.UsageKeyEncipherment))
        {
            keyUsage |= X509KeyUsageFlags.KeyEncipherment;
        }

        if (keyUsage != X509KeyUsageFlags.None)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(keyUsage, critical: true));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ClientAuthOid)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        var notBefore = now - Backdate;
        var notAfter = now + Duration(csr, maxDuration);
        var caEnd = new DateTimeOffset(ca.NotAfter.ToUniversalTime());
        if (notAfter > caEnd)
        {
            notAfter = caEnd;
        }

        using var certificate = request.Create(ca, notBefore, notAfter, SerialNumber());
        return certificate.ExportCertificatePem() + "\n";
    }

    /// <summary>The request with the issued certificate in its status (the body for <c>/status</c>).</summary>
    public static V1CertificateSigningRequest WithCertificate(V1CertificateSigningRequest csr, string certificatePem)
    {
        ArgumentNullException.ThrowIfNull(csr);
        csr.Status ??= new V1CertificateSigningRequestStatus();
        csr.Status.Certificate = Encoding.ASCII.GetBytes(certificatePem);
        return csr;
    }

    /// <summary>The request with a Failed condition saying why the signer refused it.</summary>
    public static V1CertificateSigningRequest WithFailure(V1CertificateSigningRequest csr, string message, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(csr);
        csr.Status ??= new V1CertificateSigningRequestStatus();
        csr.Status.Conditions ??= [];
        csr.Status.Conditions.Add(new V1CertificateSigningRequestCondition
        {
            Type = CertificateRequests.Failed,
            Status = "True",
            Reason = FailureReason,
            Message = message,
            LastUpdateTime = now,
            LastTransitionTime = now,
        });
        return csr;
    }

    private static byte[] SerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // DER integers are signed: keep the serial positive,
        serial[0] |= 0x01; // and without a leading zero byte.
        return serial;
    }
}
