using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Tests.Certificates;

/// <summary>CertificateSigningRequest bodies with real PKCS#10 requests made in memory.</summary>
internal static class CsrFixtures
{
    public static string RequestPem(string subject = "CN=system:node:n1, O=system:nodes")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest(subject, key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
    }

    public static string Base64(string text) => Convert.ToBase64String(Encoding.ASCII.GetBytes(text));

    /// <summary>A valid request as a node would send it, with <paramref name="change"/> applied.</summary>
    public static JsonObject Csr(Action<JsonObject>? change = null)
    {
        var csr = new JsonObject
        {
            ["apiVersion"] = "certificates.k8s.io/v1",
            ["kind"] = "CertificateSigningRequest",
            ["metadata"] = new JsonObject { ["name"] = "node-csr-abc", ["uid"] = "u-1", ["creationTimestamp"] = "2026-01-01T00:00:00Z", ["resourceVersion"] = "5" },
            ["spec"] = new JsonObject
            {
                ["request"] = Base64(RequestPem()),
                ["signerName"] = "kubernetes.io/kube-apiserver-client-kubelet",
                ["usages"] = new JsonArray("digital signature", "client auth"),
                ["username"] = "system:bootstrap:abcdef",
                ["groups"] = new JsonArray("system:bootstrappers", "system:authenticated"),
            },
            ["status"] = new JsonObject(),
        };
        change?.Invoke(csr);
        return csr;
    }

    public static JsonObject Condition(string type, string status = "True") => new() { ["type"] = type, ["status"] = status, ["reason"] = "R" };

    /// <summary>A PEM certificate (self-signed; validation reads only its shape).</summary>
    public static string CertificatePem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=system:node:n1, O=system:nodes", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem();
    }
}
