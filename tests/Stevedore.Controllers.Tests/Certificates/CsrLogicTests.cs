using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Stevedore.Controllers.Certificates;

namespace Stevedore.Controllers.Tests.Certificates;

public sealed class CsrLogicTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static string RequestPem(string subject, bool withSan = false, ECDsa? key = null)
    {
        using var own = key is null ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : null;
        var request = new CertificateRequest(subject, key ?? own!, HashAlgorithmName.SHA256);
        if (withSan)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("evil.example");
            request.CertificateExtensions.Add(san.Build());
        }

        return request.CreateSigningRequestPem();
    }

    private static V1CertificateSigningRequest Csr(
        string subject = "O=system:nodes, CN=system:node:n1",
        string signer = CertificateRequests.KubeletClientSigner,
        string[]? usages = null,
        string username = "system:bootstrap:abcdef",
        string[]? groups = null,
        bool withSan = false,
        params string[] conditions) => new()
        {
            Metadata = new V1ObjectMeta { Name = "node-csr-x" },
            Spec = new V1CertificateSigningRequestSpec
            {
                Request = Encoding.ASCII.GetBytes(RequestPem(subject, withSan)),
                SignerName = signer,
                Usages = usages ?? ["digital signature", "client auth"],
                Username = username,
                Groups = groups ?? ["system:bootstrappers", "system:authenticated"],
            },
            Status = new V1CertificateSigningRequestStatus
            {
                Conditions = [.. conditions.Select(c => new V1CertificateSigningRequestCondition { Type = c, Status = "True" })],
            },
        };

    [Fact]
    public void Check_NodeRequest_NamesTheNode() => Assert.Equal("n1", NodeClientRequest.Check(Csr()).NodeName);

    public static TheoryData<string, V1CertificateSigningRequest, string> NotNodeClients => new()
    {
        { "other signer", Csr(signer: CertificateRequests.ApiServerClientSigner), "signer is not" },
        { "masters", Csr(subject: "O=system:masters, CN=system:node:n1"), "subject organization is not system:nodes" },
        { "two organizations", Csr(subject: "O=system:nodes, O=system:masters, CN=system:node:n1"), "subject organization is not system:nodes" },
        { "admin", Csr(subject: "O=system:nodes, CN=system:admin"), "subject common name does not begin with system:node:" },
        { "bad name", Csr(subject: "O=system:nodes, CN=system:node:Bad_Name"), "is not a valid node name" },
        { "empty name", Csr(subject: "O=system:nodes, CN=system:node:"), "is not a valid node name" },
        { "san", Csr(withSan: true), "subject alternative names are not allowed" },
        { "server auth", Csr(usages: ["digital signature", "client auth", "server auth"]), "usages must be" },
        { "no client auth", Csr(usages: ["digital signature"]), "usages must be" },
    };

    [Theory]
    [MemberData(nameof(NotNodeClients))]
    public void Check_NotANodeClientRequest_SaysWhy(string _, V1CertificateSigningRequest csr, string problem)
    {
        var check = NodeClientRequest.Check(csr);

        Assert.False(check.IsNodeClient);
        Assert.Contains(problem, check.Problem);
    }

    [Fact]
    public void Check_RsaKeyWithKeyEncipherment_IsANodeClient()
    {
        using var rsa = RSA.Create(2048);
        var csr = Csr(usages: ["key encipherment", "digital signature", "client auth"]);
        csr.Spec.Request = Encoding.ASCII.GetBytes(new CertificateRequest("O=system:nodes, CN=system:node:n1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem());

        Assert.Equal("n1", NodeClientRequest.Check(csr).NodeName);
    }

    [Fact]
    public void Approve_BootstrapperAskingForANode_IsApproved()
    {
        var decision = CsrApprovalLogic.Decide(Csr());

        Assert.True(decision.Approve);
        Assert.Equal("AutoApproved", decision.Reason);
    }

    [Fact]
    public void Approve_NodeRenewingItsOwn_IsApproved_ButNotAnothersNode()
    {
        Assert.True(CsrApprovalLogic.Decide(Csr(username: "system:node:n1", groups: ["system:nodes", "system:authenticated"])).Approve);
        Assert.False(CsrApprovalLogic.Decide(Csr(username: "system:node:n2", groups: ["system:nodes", "system:authenticated"])).Approve);
    }

    [Theory]
    [InlineData("someone", "dev")]
    [InlineData("system:serviceaccount:default:x", "system:serviceaccounts")]
    public void Approve_OtherRequesters_StayPending(string username, string group) =>
        Assert.False(CsrApprovalLogic.Decide(Csr(username: username, groups: [group, "system:authenticated"])).Approve);

    [Fact]
    public void Approve_BootstrapperAskingForMasters_StaysPending() =>
        Assert.False(CsrApprovalLogic.Decide(Csr(subject: "O=system:masters, CN=system:admin")).Approve);

    [Theory]
    [InlineData("Approved")]
    [InlineData("Denied")]
    public void Approve_AlreadyDecided_NothingMore(string condition) =>
        Assert.False(CsrApprovalLogic.Decide(Csr(conditions: condition)).Approve);

    [Fact]
    public void WithApproval_AddsTheApprovedCondition()
    {
        var csr = CsrApprovalLogic.WithApproval(Csr(), CsrApprovalLogic.Decide(Csr()), Now.UtcDateTime);

        var condition = Assert.Single(csr.Status.Conditions);
        Assert.Equal(("Approved", "True", "AutoApproved"), (condition.Type, condition.Status, condition.Reason));
    }

    [Fact]
    public void Sign_Decisions_FollowApprovalAndSigner()
    {
        Assert.Equal(SigningAction.None, CsrSigningLogic.Decide(Csr()).Action);
        Assert.Equal(SigningAction.Sign, CsrSigningLogic.Decide(Csr(conditions: "Approved")).Action);
        Assert.Equal(SigningAction.None, CsrSigningLogic.Decide(Csr(conditions: ["Approved", "Failed"])).Action);
        Assert.Equal(SigningAction.None, CsrSigningLogic.Decide(Csr(signer: "example.com/other", conditions: "Approved")).Action);
        var failed = CsrSigningLogic.Decide(Csr(subject: "O=system:masters, CN=system:node:n1", conditions: "Approved"));
        Assert.Equal(SigningAction.Fail, failed.Action);
        Assert.Contains("system:nodes", failed.Message);
        Assert.Equal(SigningAction.Sign, CsrSigningLogic.Decide(Csr(subject: "CN=jane, O=dev", signer: CertificateRequests.ApiServerClientSigner, conditions: "Approved")).Action);
        Assert.Equal(SigningAction.Fail, CsrSigningLogic.Decide(Csr(subject: "CN=jane", signer: CertificateRequests.ApiServerClientSigner, usages: ["server auth"], conditions: "Approved")).Action);
    }

    [Theory]
    [InlineData(null, 365 * 24 * 3600)]
    [InlineData(3600, 3600)]
    [InlineData(60, 600)]
    [InlineData(10 * 365 * 24 * 3600, 365 * 24 * 3600)]
    public void Duration_RequestedCappedAndFloored(int? requested, int expectedSeconds)
    {
        var csr = Csr();
        csr.Spec.ExpirationSeconds = requested;

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), CsrSigningLogic.Duration(csr, CsrSigningLogic.DefaultDuration));
    }

    [Fact]
    public void Sign_IssuesAClientCertificateForTheRequestersKey_FromTheCa()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=test-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(Now.AddDays(-1), Now.AddYears(10));
        using var nodeKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = Csr(conditions: "Approved");
        csr.Spec.Request = Encoding.ASCII.GetBytes(RequestPem("O=system:nodes, CN=system:node:n1", withSan: false, key: nodeKey));

        var pem = CsrSigningLogic.Sign(csr, ca, Now, CsrSigningLogic.DefaultDuration);

        using var issued = X509Certificate2.CreateFromPem(pem);
        Assert.Equal("system:node:n1", issued.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.Contains("O=system:nodes", issued.Subject);
        Assert.Equal(ca.Subject, issued.Issuer);
        Assert.Equal(Now.AddMinutes(-5).UtcDateTime, issued.NotBefore.ToUniversalTime());
        Assert.Equal(Now.AddDays(365).UtcDateTime, issued.NotAfter.ToUniversalTime());
        Assert.Equal(nodeKey.ExportSubjectPublicKeyInfo(), issued.PublicKey.ExportSubjectPublicKeyInfo());
        var eku = issued.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        Assert.False(issued.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = Now.UtcDateTime;
        Assert.True(chain.Build(issued));
    }
}
