using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Stevedore.Kubelet.Bootstrap;

namespace Stevedore.Kubelet.Tests.Bootstrap;

public sealed class NodeClientCertificateTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void CreateRequest_IsSignedByANewP256Key_ForTheNodesIdentity()
    {
        var (key, pem) = NodeClientCertificate.CreateRequest("worker-1");
        using (key)
        {
            // Loading checks the request's signature.
            var request = CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256);

            Assert.Equal(256, key.KeySize);
            Assert.Equal(key.ExportSubjectPublicKeyInfo(), request.PublicKey.ExportSubjectPublicKeyInfo());
            var attributes = request.SubjectName.EnumerateRelativeDistinguishedNames().Select(r => (r.GetSingleElementType().Value, r.GetSingleElementValue())).ToList();
            Assert.Equal([("2.5.4.10", "system:nodes"), ("2.5.4.3", "system:node:worker-1")], attributes);
        }
    }

    private static (X509Certificate2 Ca, ECDsa CaKey) NewCa()
    {
        var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test-ca", caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return (request.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(5)), caKey);
    }

    private static (string Certificate, string Key) Issue(X509Certificate2 ca, string commonName, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}, O=system:nodes", key, HashAlgorithmName.SHA256);
        using var certificate = request.Create(ca, Now.AddDays(-1), notAfter, [1, 2, 3]);
        return (certificate.ExportCertificatePem(), key.ExportECPrivateKeyPem());
    }

    [Fact]
    public void Problem_ValidCertificateOfThisNode_None()
    {
        var (ca, caKey) = NewCa();
        using (ca)
        using (caKey)
        {
            var (certificate, key) = Issue(ca, "system:node:n1", Now.AddDays(30));
            Assert.Null(NodeClientCertificate.Problem(certificate, key, ca, "n1", Now));
        }
    }

    [Fact]
    public void Problem_OtherNodeExpiredForeignOrMismatchedKey_Said()
    {
        var (ca, caKey) = NewCa();
        var (other, otherKey) = NewCa();
        using (ca)
        using (caKey)
        using (other)
        using (otherKey)
        {
            var (certificate, key) = Issue(ca, "system:node:n1", Now.AddDays(30));
            Assert.Contains("not for node n2", NodeClientCertificate.Problem(certificate, key, ca, "n2", Now));
            Assert.Contains("valid from", NodeClientCertificate.Problem(certificate, key, ca, "n1", Now.AddDays(31)));
            Assert.Equal("it is not signed by the cluster CA", NodeClientCertificate.Problem(certificate, key, other, "n1", Now));
            var (_, anotherKey) = Issue(ca, "system:node:n1", Now.AddDays(30));
            Assert.StartsWith("unreadable certificate or key", NodeClientCertificate.Problem(certificate, anotherKey, ca, "n1", Now));
        }
    }

    private static V1CertificateSigningRequest Csr(string? certificate = null, params (string Type, string Message)[] conditions) => new()
    {
        Metadata = new V1ObjectMeta { Name = "node-csr-x" },
        Status = new V1CertificateSigningRequestStatus
        {
            Certificate = certificate is null ? null : Encoding.ASCII.GetBytes(certificate),
            Conditions = [.. conditions.Select(c => new V1CertificateSigningRequestCondition { Type = c.Type, Status = "True", Reason = "R", Message = c.Message })],
        },
    };

    [Fact]
    public void Outcome_PendingApprovedIssued()
    {
        Assert.Null(CertificateBootstrap.Outcome(Csr()));
        Assert.Null(CertificateBootstrap.Outcome(Csr(null, ("Approved", "ok"))));
        Assert.Equal("PEM", CertificateBootstrap.Outcome(Csr("PEM", ("Approved", "ok"))));
    }

    [Theory]
    [InlineData("Denied", "certificate signing request node-csr-x was denied: R: not you")]
    [InlineData("Failed", "certificate signing request node-csr-x failed: R: not you")]
    public void Outcome_DeniedOrFailed_Throws(string type, string message) =>
        Assert.Equal(message, Assert.Throws<CertificateBootstrapException>(() => CertificateBootstrap.Outcome(Csr(null, (type, "not you")))).Message);
}
