using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.Authorization;

namespace Stevedore.ApiServer.Tests.Security;

public sealed class AuthorizerTests
{
    private static readonly UserInfo Jane = new("jane", null, ["dev", "system:authenticated"]);
    private static readonly UserInfo Unauthenticated = new("ghost", null, []);

    private sealed class Fixed(AuthorizationDecision decision) : IAuthorizer
    {
        public int Calls { get; private set; }

        public AuthorizationDecision Authorize(AuthorizationAttributes attrs)
        {
            Calls++;
            return decision;
        }
    }

    [Fact]
    public void AllowAuthenticated_AuthenticatedUser_IsAllowed()
    {
        var decision = new AllowAuthenticatedAuthorizer().Authorize(
            AuthorizationAttributes.ForResource(Jane, "delete", "apps", "v1", "deployments", @namespace: "default", name: "web"));

        Assert.True(decision.IsAllowed);
    }

    [Fact]
    public void AllowAuthenticated_UserWithoutAuthenticatedGroup_HasNoOpinion()
    {
        var decision = new AllowAuthenticatedAuthorizer().Authorize(AuthorizationAttributes.ForPath(Unauthenticated, "get", "/healthz"));

        Assert.Equal(AuthorizationVerdict.NoOpinion, decision.Verdict);
        Assert.False(decision.IsAllowed);
        Assert.False(decision.IsDenied);
    }

    [Fact]
    public void AllowAuthenticated_Rules_AreEverythingForAuthenticatedOnly()
    {
        var authorizer = new AllowAuthenticatedAuthorizer();

        var rules = authorizer.RulesFor(Jane, "default");
        var none = authorizer.RulesFor(Unauthenticated, "default");

        var resourceRule = Assert.Single(rules.ResourceRules);
        Assert.Equal(["*"], resourceRule.Verbs);
        Assert.Equal(["*"], resourceRule.ApiGroups);
        Assert.Equal(["*"], resourceRule.Resources);
        Assert.Equal(["*"], Assert.Single(rules.NonResourceRules).NonResourceUrls);
        Assert.False(rules.Incomplete);
        Assert.Empty(none.ResourceRules);
    }

    [Fact]
    public void Union_FirstDecisiveAuthorizer_Wins()
    {
        var undecided = new Fixed(AuthorizationDecision.NoOpinion("not mine"));
        var deny = new Fixed(AuthorizationDecision.Deny("nope"));
        var allow = new Fixed(AuthorizationDecision.Allow());

        var decision = new UnionAuthorizer(undecided, deny, allow).Authorize(AuthorizationAttributes.ForPath(Jane, "get", "/"));

        Assert.Equal(AuthorizationDecision.Deny("nope"), decision);
        Assert.Equal(0, allow.Calls);
    }

    [Fact]
    public void Union_NobodyDecides_NoOpinionWithJoinedReasons()
    {
        var decision = new UnionAuthorizer(
            new Fixed(AuthorizationDecision.NoOpinion("a")),
            new Fixed(AuthorizationDecision.NoOpinion("b"))).Authorize(AuthorizationAttributes.ForPath(Jane, "get", "/"));

        Assert.Equal(AuthorizationDecision.NoOpinion("a\nb"), decision);
    }

    [Theory]
    [InlineData("get", "", "pods", "", "default", "web", "",
        "pods \"web\" is forbidden: User \"jane\" cannot get resource \"pods\" in API group \"\" in the namespace \"default\"")]
    [InlineData("list", "apps", "deployments", "", "", "", "",
        "deployments.apps is forbidden: User \"jane\" cannot list resource \"deployments\" in API group \"apps\" at the cluster scope")]
    [InlineData("create", "", "pods", "exec", "ns1", "p", "no RBAC policy matched",
        "pods \"p\" is forbidden: User \"jane\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"ns1\": no RBAC policy matched")]
    public void Forbidden_ResourceRequest_MessageAsUpstream(
        string verb, string group, string resource, string subresource, string ns, string name, string reason, string expected)
    {
        var attrs = AuthorizationAttributes.ForResource(Jane, verb, group, "v1", resource, subresource, ns, name);

        var status = ForbiddenStatus.Create(attrs, reason);

        Assert.Equal(expected, status["message"]!.GetValue<string>());
        Assert.Equal("Forbidden", status["reason"]!.GetValue<string>());
        Assert.Equal(403, status["code"]!.GetValue<int>());
        Assert.Equal(resource, status["details"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public void Forbidden_NonResourceRequest_MessageAsUpstream()
    {
        var status = ForbiddenStatus.Create(AuthorizationAttributes.ForPath(Jane, "get", "/metrics"));

        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \u0022jane\u0022 cannot get path \u0022/metrics\u0022","reason":"Forbidden","details":{},"code":403}""",
            status.ToJsonString());
    }
}
