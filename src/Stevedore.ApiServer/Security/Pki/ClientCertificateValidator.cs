using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stevedore.ApiServer.Security.Pki;

/// <summary>
/// Decides whether a client certificate was issued by the cluster CA. The chain is built with the
/// CA as the only trust anchor: the machine's trust store is ignored, so a certificate from any
/// public CA is refused, and nothing is downloaded while building the chain.
/// </summary>
public sealed class ClientCertificateValidator
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2 _certificateAuthority;
    private readonly TimeProvider _time;

    /// <param name="certificateAuthority">The trust anchor (public part is enough).</param>
    /// <param name="time">The clock against which validity periods are checked.</param>
    public ClientCertificateValidator(X509Certificate2 certificateAuthority, TimeProvider time)
    {
        _certificateAuthority = certificateAuthority;
        _time = time;
    }

    /// <summary>True if <paramref name="certificate"/> chains to the cluster CA, is within its
    /// validity period and may be used for client authentication.</summary>
    public bool IsValid(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.Add(_certificateAuthority);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        policy.ApplicationPolicy.Add(new Oid(ClientAuthOid));
        if (!chain.Build(certificate))
        {
            return false;
        }

        // CustomRootTrust already pins the root; checking it again keeps the decision obvious.
        var root = chain.ChainElements[^1].Certificate;
        return root.RawDataMemory.Span.SequenceEqual(_certificateAuthority.RawDataMemory.Span);
    }
}
