using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s.Models;

namespace Stevedore.Controllers.Certificates;

/// <summary>
/// Whether a CertificateSigningRequest is a kubelet's client certificate request, as upstream's
/// <c>ValidateKubeletClientCSR</c> defines it: signer <c>kubernetes.io/kube-apiserver-client-kubelet</c>, subject
/// <c>O=system:nodes</c> (that one organization only) and <c>CN=system:node:NAME</c> with NAME a valid node
/// name, no subject alternative names, and usages exactly {digital signature, client auth} (plus key
/// encipherment, which RSA keys need).
/// </summary>
public static class NodeClientRequest
{
    private static readonly HashSet<string> UsagesWithoutKeyEncipherment = [CertificateRequests.UsageDigitalSignature, CertificateRequests.UsageClientAuth];
    private static readonly HashSet<string> UsagesWithKeyEncipherment = [CertificateRequests.UsageDigitalSignature, CertificateRequests.UsageKeyEncipherment, CertificateRequests.UsageClientAuth];

    /// <summary>The node name the request is for, or the reason it is not a kubelet client request.</summary>
    public static NodeClientCheck Check(V1CertificateSigningRequest csr)
    {
        ArgumentNullException.ThrowIfNull(csr);
        if (csr.Spec?.SignerName != CertificateRequests.KubeletClientSigner)
        {
            return NodeClientCheck.Not($"signer is not {CertificateRequests.KubeletClientSigner}");
        }

        CertificateRequest request;
        try
        {
            request = CertificateRequests.ParseRequest(csr);
        }
        catch (CryptographicException ex)
        {
            return NodeClientCheck.Not("unreadable request: " + ex.Message);
        }

        return Check(request, csr.Spec.Usages ?? []);
    }

    /// <summary>The subject, extension and usage rules on an already parsed request.</summary>
    public static NodeClientCheck Check(CertificateRequest request, IEnumerable<string> usages)
    {
        ArgumentNullException.ThrowIfNull(request);
        var organizations = CertificateRequests.AttributeValues(request.SubjectName, CertificateRequests.OrganizationOid);
        if (organizations is not [CertificateRequests.NodesGroup])
        {
            return NodeClientCheck.Not("subject organization is not system:nodes");
        }

        if (request.CertificateExtensions.Any(e => e.Oid?.Value == CertificateRequests.SubjectAlternativeNameOid))
        {
            return NodeClientCheck.Not("subject alternative names are not allowed");
        }

        var commonNames = CertificateRequests.AttributeValues(request.SubjectName, CertificateRequests.CommonNameOid);
        if (commonNames is not [var commonName] || !commonName.StartsWith(CertificateRequests.NodeUserPrefix, StringComparison.Ordinal))
        {
            return NodeClientCheck.Not("subject common name does not begin with system:node:");
        }

        var nodeName = commonName[CertificateRequests.NodeUserPrefix.Length..];
        if (!IsNodeName(nodeName))
        {
            return NodeClientCheck.Not($"\"{nodeName}\" is not a valid node name");
        }

        var requested = usages.ToHashSet(StringComparer.Ordinal);
        if (!requested.SetEquals(UsagesWithoutKeyEncipherment) && !requested.SetEquals(UsagesWithKeyEncipherment))
        {
            return NodeClientCheck.Not("usages must be digital signature and client auth (and key encipherment for RSA keys) only");
        }

        return NodeClientCheck.For(nodeName);
    }

    /// <summary>A DNS-1123 subdomain, what the API accepts as a Node's name.</summary>
    public static bool IsNodeName(string name) =>
        name.Length is > 0 and <= 253
        && name.Split('.').All(label => label.Length is > 0 and <= 63
            && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            && char.IsAsciiLetterOrDigit(label[0]) && char.IsAsciiLetterOrDigit(label[^1]));
}

/// <summary>The outcome of <see cref="NodeClientRequest.Check(V1CertificateSigningRequest)"/>: a node name, or why not.</summary>
public sealed record NodeClientCheck(string? NodeName, string Problem)
{
    public bool IsNodeClient => NodeName is not null;

    public static NodeClientCheck For(string nodeName) => new(nodeName, "");

    public static NodeClientCheck Not(string problem) => new(null, problem);
}
