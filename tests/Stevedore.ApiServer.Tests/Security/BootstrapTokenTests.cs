using System.Text;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.Authorization;

namespace Stevedore.ApiServer.Tests.Security;

public sealed class BootstrapTokenTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static byte[] Secret(Action<JsonObject>? changeData = null, string type = BootstrapTokens.SecretType, bool deleting = false)
    {
        var data = new JsonObject
        {
            ["token-id"] = B64("abcdef"),
            ["token-secret"] = B64("0123456789abcdef"),
            ["usage-bootstrap-authentication"] = B64("true"),
            ["auth-extra-groups"] = B64("system:bootstrappers:stevedore:default-node-token"),
        };
        changeData?.Invoke(data);
        var meta = new JsonObject { ["name"] = "bootstrap-token-abcdef", ["namespace"] = "kube-system" };
        if (deleting)
        {
            meta["deletionTimestamp"] = "2026-03-01T11:00:00Z";
        }

        return Encoding.UTF8.GetBytes(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = meta, ["type"] = type, ["data"] = data }.ToJsonString());
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Theory]
    [InlineData("abcdef.0123456789abcdef", true)]
    [InlineData("ABCDEF.0123456789abcdef", false)]
    [InlineData("abcde.0123456789abcdef", false)]
    [InlineData("abcdef.0123456789abcde", false)]
    [InlineData("abcdef0123456789abcdef", false)]
    [InlineData("K10abc::abcdef.0123456789abcdef", false)]
    public void TryParse_OnlyIdDotSecret(string token, bool valid) => Assert.Equal(valid, BootstrapTokens.TryParse(token, out _, out _));

    [Fact]
    public void UserOf_MatchingSecret_IsABootstrapper()
    {
        var user = BootstrapTokenAuthenticator.UserOf(Secret(), "abcdef", "0123456789abcdef", Now);

        Assert.NotNull(user);
        Assert.Equal("system:bootstrap:abcdef", user.Name);
        Assert.Equal(["system:bootstrappers", "system:bootstrappers:stevedore:default-node-token"], user.Groups);
    }

    public static TheoryData<string> Refusals => ["wrong-secret", "wrong-id", "no-usage", "expired", "bad-expiration", "wrong-type", "deleting", "escaping-group"];

    [Theory]
    [MemberData(nameof(Refusals))]
    public void UserOf_AnythingOff_AuthenticatesNoOne(string what)
    {
        var secret = "0123456789abcdef";
        var stored = what switch
        {
            "wrong-id" => Secret(d => d["token-id"] = B64("zzzzzz")),
            "no-usage" => Secret(d => d.Remove("usage-bootstrap-authentication")),
            "expired" => Secret(d => d["expiration"] = B64("2026-03-01T11:59:59Z")),
            "bad-expiration" => Secret(d => d["expiration"] = B64("tomorrow")),
            "wrong-type" => Secret(type: "Opaque"),
            "deleting" => Secret(deleting: true),
            "escaping-group" => Secret(d => d["auth-extra-groups"] = B64("system:masters")),
            _ => Secret(),
        };
        if (what == "wrong-secret")
        {
            secret = "0123456789abcdee";
        }

        Assert.Null(BootstrapTokenAuthenticator.UserOf(stored, "abcdef", secret, Now));
    }

    [Fact]
    public void UserOf_FutureExpiration_StillValid() =>
        Assert.NotNull(BootstrapTokenAuthenticator.UserOf(Secret(d => d["expiration"] = B64("2026-03-02T00:00:00Z")), "abcdef", "0123456789abcdef", Now));

    private static readonly UserInfo Bootstrapper = new("system:bootstrap:abcdef", null, ["system:bootstrappers", "system:authenticated"]);

    [Theory]
    [InlineData("create", "certificates.k8s.io", "certificatesigningrequests", "", true)]
    [InlineData("get", "certificates.k8s.io", "certificatesigningrequests", "", true)]
    [InlineData("watch", "certificates.k8s.io", "certificatesigningrequests", "", true)]
    [InlineData("update", "certificates.k8s.io", "certificatesigningrequests", "approval", false)]
    [InlineData("delete", "certificates.k8s.io", "certificatesigningrequests", "", false)]
    [InlineData("list", "", "secrets", "", false)]
    [InlineData("create", "", "nodes", "", false)]
    [InlineData("create", "authorization.k8s.io", "selfsubjectaccessreviews", "", true)]
    public void BootstrapperAuthorizer_OnlyCertificateRequests(string verb, string group, string resource, string subresource, bool allowed)
    {
        var decision = new BootstrapperAuthorizer().Authorize(AuthorizationAttributes.ForResource(Bootstrapper, verb, group, "v1", resource, subresource));

        Assert.Equal(allowed ? AuthorizationVerdict.Allow : AuthorizationVerdict.Deny, decision.Verdict);
    }

    [Theory]
    [InlineData("/apis", true)]
    [InlineData("/api/v1", true)]
    [InlineData("/version", true)]
    [InlineData("/metrics", false)]
    public void BootstrapperAuthorizer_DiscoveryOnlyAmongPaths(string path, bool allowed) =>
        Assert.Equal(allowed, new BootstrapperAuthorizer().Authorize(AuthorizationAttributes.ForPath(Bootstrapper, "get", path)).IsAllowed);

    [Fact]
    public void BootstrapperAuthorizer_OtherUsers_NoOpinion()
    {
        var node = new UserInfo("system:node:n1", null, ["system:nodes", "system:authenticated"]);

        Assert.Equal(AuthorizationVerdict.NoOpinion, new BootstrapperAuthorizer().Authorize(AuthorizationAttributes.ForResource(node, "list", "", "v1", "secrets")).Verdict);
    }

    [Fact]
    public void Union_BootstrapperThenAllowAuthenticated_DeniesBootstrappersSecrets_AllowsNodes()
    {
        var union = new UnionAuthorizer(new BootstrapperAuthorizer(), new AllowAuthenticatedAuthorizer());
        var node = new UserInfo("system:node:n1", null, ["system:nodes", "system:authenticated"]);

        Assert.False(union.Authorize(AuthorizationAttributes.ForResource(Bootstrapper, "list", "", "v1", "secrets")).IsAllowed);
        Assert.True(union.Authorize(AuthorizationAttributes.ForResource(node, "list", "", "v1", "secrets")).IsAllowed);
    }
}
