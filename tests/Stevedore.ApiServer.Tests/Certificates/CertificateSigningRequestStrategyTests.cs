using System.Text.Json.Nodes;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Security.Authentication;
using static Stevedore.ApiServer.Tests.Certificates.CsrFixtures;

namespace Stevedore.ApiServer.Tests.Certificates;

public sealed class CertificateSigningRequestStrategyTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void PrepareForCreate_TakesTheRequesterFromAuthentication_AndClearsStatus()
    {
        var csr = Csr(o =>
        {
            o["spec"]!["username"] = "system:admin";
            o["spec"]!["groups"] = new JsonArray("system:masters");
            o["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition("Approved")) };
        });
        var user = new UserInfo("system:bootstrap:abcdef", "id-1", ["system:bootstrappers", "system:authenticated"],
            new Dictionary<string, IReadOnlyList<string>> { ["scopes"] = ["a"] });

        CertificateSigningRequestStrategy.PrepareForCreate(csr, user);

        Assert.Equal("system:bootstrap:abcdef", csr["spec"]!["username"]!.ToString());
        Assert.Equal("id-1", csr["spec"]!["uid"]!.ToString());
        Assert.Equal("""["system:bootstrappers","system:authenticated"]""", csr["spec"]!["groups"]!.ToJsonString());
        Assert.Equal("""{"scopes":["a"]}""", csr["spec"]!["extra"]!.ToJsonString());
        Assert.Equal("{}", csr["status"]!.ToJsonString());
    }

    [Fact]
    public void PrepareForUpdate_OfTheObject_KeepsSpecAndStatus()
    {
        var current = Csr();
        var desired = Csr(o =>
        {
            o["spec"]!["signerName"] = "example.com/other";
            o["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition("Approved")) };
            o["metadata"]!["labels"] = new JsonObject { ["a"] = "b" };
        });

        CertificateSigningRequestStrategy.PrepareForUpdate(desired, current, null, Now);

        Assert.True(JsonNode.DeepEquals(current["spec"], desired["spec"]));
        Assert.Equal("{}", desired["status"]!.ToJsonString());
        Assert.Equal("b", desired["metadata"]!["labels"]!["a"]!.ToString());
    }

    [Fact]
    public void PrepareForUpdate_OfApproval_TakesOnlyTheConditions_WithTimestamps()
    {
        var current = Csr();
        var desired = Csr(o =>
        {
            o["spec"]!["usages"] = new JsonArray("server auth");
            o["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition("Approved")), ["certificate"] = Base64("x") };
        });

        CertificateSigningRequestStrategy.PrepareForUpdate(desired, current, "approval", Now);

        Assert.True(JsonNode.DeepEquals(current["spec"], desired["spec"]));
        Assert.Null(desired["status"]!["certificate"]);
        var condition = desired["status"]!["conditions"]![0]!;
        Assert.Equal("Approved", condition["type"]!.ToString());
        Assert.Equal("2026-03-01T12:00:00Z", condition["lastUpdateTime"]!.ToString());
        Assert.Equal("2026-03-01T12:00:00Z", condition["lastTransitionTime"]!.ToString());
    }

    [Fact]
    public void PrepareForUpdate_OfStatus_PutsTheStoredApprovalBack()
    {
        var stored = Condition("Approved");
        stored["message"] = "by the approver";
        var current = Csr(o => o["status"] = new JsonObject { ["conditions"] = new JsonArray(stored) });
        var edited = Condition("Approved");
        edited["message"] = "rewritten";
        var desired = Csr(o => o["status"] = new JsonObject { ["conditions"] = new JsonArray(edited), ["certificate"] = Base64("pem") });

        CertificateSigningRequestStrategy.PrepareForUpdate(desired, current, "status", Now);

        Assert.Equal("by the approver", desired["status"]!["conditions"]![0]!["message"]!.ToString());
        Assert.Equal(Base64("pem"), desired["status"]!["certificate"]!.ToString());
    }
}
