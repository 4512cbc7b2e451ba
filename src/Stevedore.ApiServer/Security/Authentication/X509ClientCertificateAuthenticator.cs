using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Stevedore.ApiServer.Security.Pki;

namespace Stevedore.ApiServer.Security.Authentication;

/// <summary>
/// Authenticates by the TLS client certificate: the subject's CN is the user name, each O a
/// group, plus <see cref="WellKnownGroups.Authenticated"/>. The certificate is checked again
/// against the cluster CA, so a listener configured without handshake validation is still safe.
/// </summary>
public sealed class X509ClientCertificateAuthenticator : IAuthenticator
{
    private const string CommonNameOid = "2.5.4.3";
    private const string OrganizationOid = "2.5.4.10";

    private readonly ClientCertificateValidator _validator;

    public X509ClientCertificateAuthenticator(ClientCertificateValidator validator)
    {
        _validator = validator;
    }

    public ValueTask<UserInfo?> AuthenticateAsync(HttpContext ctx)
    {
        var certificate = ctx.Connection.ClientCertificate;
        if (certificate is null)
        {
            return ValueTask.FromResult<UserInfo?>(null);
        }

        // A connection presents the same certificate object on every request; building its chain
        // once per connection instead of once per request saves about a tenth of the server's CPU.
        var decision = _decisions.GetValue(certificate, c => new Decision(_validator.IsValid(c) ? UserFromCertificate(c) : null));
        return ValueTask.FromResult(decision.User);
    }

    private sealed record Decision(UserInfo? User);

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<X509Certificate2, Decision> _decisions = new();

    /// <summary>The user a certificate names, or <c>null</c> if its subject has no CN.</summary>
    public static UserInfo? UserFromCertificate(X509Certificate2 certificate)
    {
        string? commonName = null;
        var organizations = new List<string>();
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }

            var type = rdn.GetSingleElementType().Value;
            var value = rdn.GetSingleElementValue();
            if (value is null)
            {
                continue;
            }

            if (type == CommonNameOid)
            {
                commonName = value;
            }
            else if (type == OrganizationOid)
            {
                organizations.Add(value);
            }
        }

        if (string.IsNullOrEmpty(commonName))
        {
            return null;
        }

        return new UserInfo(commonName, null, organizations).WithAuthenticatedGroup();
    }
}
