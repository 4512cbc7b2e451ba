using System.Text.Json.Nodes;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Validation;
using static Stevedore.ApiServer.Tests.Certificates.CsrFixtures;

namespace Stevedore.ApiServer.Tests.Certificates;

public sealed class CertificateValidatorTests
{
    private static readonly ApiResource Csrs = ResourceCatalog.CreateBuiltIn().Find("certificates.k8s.io", "v1", "certificatesigningrequests")!;

    private static List<string> Create(JsonObject csr) => [.. Validator.ValidateCreate(Csrs, csr).Select(e => e.ToString())];

    private static List<string> Update(JsonObject updated, JsonObject old, string? subresource) =>
        [.. Validator.ValidateUpdate(Csrs, updated, old, subresource).Select(e => e.ToString())];

    [Fact]
    public void Catalog_ServesCertificateSigningRequests_WithStatusAndApproval()
    {
        Assert.False(Csrs.Namespaced);
        Assert.Equal(["csr"], Csrs.ShortNames);
        Assert.True(Csrs.HasSubresource("status"));
        Assert.True(Csrs.HasSubresource("approval"));
    }

    [Fact]
    public void Create_NodeRequest_IsValid() => Assert.Empty(Create(Csr()));

    public static TheoryData<string, string> BadCreates => new()
    {
        { "not-pem", "spec.request: Invalid value: []byte{...}: PEM block type must be CERTIFICATE REQUEST" },
        { "certificate-block", "spec.request: Invalid value: []byte{...}: PEM block type must be CERTIFICATE REQUEST" },
        { "no-usages", "spec.usages: Required value: usages must be provided" },
        { "unknown-usage", "spec.usages[1]: Unsupported value: \"flying\": supported values:" },
        { "duplicate-usage", "spec.usages[1]: Duplicate value: \"client auth\"" },
        { "no-signer", "spec.signerName: Required value: signerName must be provided" },
        { "signer-without-path", "spec.signerName: Invalid value: \"example.com\": must be a fully qualified domain and path of the form 'example.com/signer-name'" },
        { "signer-one-label", "spec.signerName: Invalid value: \"example\": should be a domain with at least two segments separated by dots" },
        { "legacy-signer", "spec.signerName: Invalid value: \"kubernetes.io/legacy-unknown\": the legacy signerName is not allowed via this API version" },
        { "short-expiration", "spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)" },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public void Create_BadField_IsRefusedAsUpstream(string change, string expected)
    {
        var csr = Csr(o =>
        {
            var spec = o["spec"]!.AsObject();
            switch (change)
            {
                case "not-pem": spec["request"] = Base64("hello"); break;
                case "certificate-block": spec["request"] = Base64(CertificatePem()); break;
                case "no-usages": spec.Remove("usages"); break;
                case "unknown-usage": spec["usages"] = new JsonArray("digital signature", "flying"); break;
                case "duplicate-usage": spec["usages"] = new JsonArray("client auth", "client auth"); break;
                case "no-signer": spec.Remove("signerName"); break;
                case "signer-without-path": spec["signerName"] = "example.com"; break;
                case "signer-one-label": spec["signerName"] = "example/signer"; break;
                case "legacy-signer": spec["signerName"] = "kubernetes.io/legacy-unknown"; break;
                case "short-expiration": spec["expirationSeconds"] = 599; break;
            }
        });

        var errors = Create(csr);

        Assert.Single(errors);
        Assert.StartsWith(expected, errors[0]);
    }

    [Fact]
    public void Create_RequestWithABrokenSignature_IsRefused()
    {
        // Flip a byte inside the signature: the requester no longer proves it holds the key.
        var pem = RequestPem();
        var body = pem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal));
        var der = Convert.FromBase64String(string.Concat(body));
        der[^3] ^= 0x55;
        var tampered = "-----BEGIN CERTIFICATE REQUEST-----\n" + Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks) + "\n-----END CERTIFICATE REQUEST-----\n";

        var errors = Create(Csr(o => o["spec"]!["request"] = Base64(tampered)));

        Assert.Single(errors);
        Assert.StartsWith("spec.request: Invalid value", errors[0]);
    }

    [Fact]
    public void Conditions_ApprovedAndDenied_AreMutuallyExclusive_AndApprovedMustBeTrue()
    {
        var csr = Csr(o => o["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition("Approved"), Condition("Denied"), Condition("Failed", "False")) });

        var errors = Create(csr);

        Assert.Contains("status.conditions[1].type: Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive", errors);
        Assert.Contains("status.conditions[2].status: Unsupported value: \"False\": supported values: \"True\"", errors);
    }

    [Fact]
    public void Approval_AddingApproved_IsAllowed_ButNotThroughStatusOrTheObject()
    {
        var old = Csr();
        var approved = Csr(o => o["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition("Approved")) });

        Assert.Empty(Update(approved, old, "approval"));
        Assert.Contains("status.conditions: Forbidden: updates may not add a condition of type \"Approved\"", Update(approved, old, "status"));
        Assert.Contains("status.conditions: Forbidden: updates may not add a condition of type \"Approved\"", Update(approved, old, null));
    }

    [Fact]
    public void Approval_RemovingApproved_IsForbiddenEverywhere()
    {
        var old = Csr(o => o["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition("Approved")) });

        Assert.Contains("status.conditions: Forbidden: updates may not remove a condition of type \"Approved\"", Update(Csr(), old, "approval"));
    }

    [Fact]
    public void Status_SettingTheCertificate_IsAllowedOnce_AndOnlyThroughStatus()
    {
        var approved = Csr(o => o["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition("Approved")) });
        var issued = Csr(o => o["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition("Approved")), ["certificate"] = Base64(CertificatePem()) });
        var reissued = Csr(o => o["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition("Approved")), ["certificate"] = Base64(CertificatePem()) });

        Assert.Empty(Update(issued, approved, "status"));
        Assert.Contains("status.certificate: Forbidden: updates may not set certificate content", Update(issued, approved, "approval"));
        Assert.Contains("status.certificate: Forbidden: updates may not modify existing certificate content", Update(reissued, issued, "status"));
    }

    [Fact]
    public void Status_ACertificateThatIsNotPem_IsRefused()
    {
        var approved = Csr(o => o["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition("Approved")) });
        var garbage = Csr(o => o["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition("Approved")), ["certificate"] = Base64(RequestPem()) });

        Assert.Contains("status.certificate: Invalid value: \"<certificate data>\": only CERTIFICATE PEM blocks are allowed, found \"CERTIFICATE REQUEST\"", Update(garbage, approved, "status"));
    }
}
