using System.Text.Json.Nodes;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.Authorization;
using Stevedore.ApiServer.Security.Reviews;

namespace Stevedore.ApiServer.Tests.Security;

public sealed class ReviewHandlerTests
{
    private static readonly UserInfo Jane = new(
        "jane", "uid-1", ["dev", "system:authenticated"],
        new Dictionary<string, IReadOnlyList<string>> { ["scopes"] = ["a", "b"] });

    /// <summary>Records the question and answers with a fixed decision.</summary>
    private sealed class Recording(AuthorizationDecision decision) : IAuthorizer
    {
        public AuthorizationAttributes? Asked { get; private set; }

        public AuthorizationDecision Authorize(AuthorizationAttributes attrs)
        {
            Asked = attrs;
            return decision;
        }
    }

    // The bodies kubectl 1.31 sends for `auth can-i get pods` and `auth can-i get /healthz`.
    private const string CanIGetPods =
        """{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"resourceAttributes":{"namespace":"default","verb":"get","resource":"pods"}},"status":{"allowed":false}}""";

    private const string CanIGetHealthz =
        """{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"nonResourceAttributes":{"path":"/healthz","verb":"get"}},"status":{"allowed":false}}""";

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void AccessReview_ResourceAttributes_AskedOnBehalfOfUser()
    {
        var authz = new Recording(AuthorizationDecision.Allow());
        var request = Parse(
            """{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"namespace":"ns","verb":"update","group":"apps","version":"v1","resource":"deployments","subresource":"scale","name":"web"}}}""");

        SelfSubjectAccessReviewHandler.Handle(request, Jane, authz);

        Assert.Equal(
            AuthorizationAttributes.ForResource(Jane, "update", "apps", "v1", "deployments", "scale", "ns", "web"),
            authz.Asked);
    }

    [Fact]
    public void AccessReview_NonResourceAttributes_AskedAsPath()
    {
        var authz = new Recording(AuthorizationDecision.Allow());

        SelfSubjectAccessReviewHandler.Handle(Parse(CanIGetHealthz), Jane, authz);

        Assert.Equal(AuthorizationAttributes.ForPath(Jane, "get", "/healthz"), authz.Asked);
    }

    [Fact]
    public void AccessReview_Allowed_StatusAllowedAndSpecEchoed()
    {
        var response = SelfSubjectAccessReviewHandler.Handle(Parse(CanIGetPods), Jane, new AllowAuthenticatedAuthorizer());

        Assert.Equal("SelfSubjectAccessReview", response["kind"]!.GetValue<string>());
        Assert.Equal("authorization.k8s.io/v1", response["apiVersion"]!.GetValue<string>());
        Assert.Equal("pods", response["spec"]!["resourceAttributes"]!["resource"]!.GetValue<string>());
        Assert.Equal("""{"allowed":true}""", response["status"]!.ToJsonString());
    }

    [Theory]
    [InlineData(AuthorizationVerdict.Deny, "policy says no", """{"allowed":false,"denied":true,"reason":"policy says no"}""")]
    [InlineData(AuthorizationVerdict.NoOpinion, "", """{"allowed":false}""")]
    [InlineData(AuthorizationVerdict.Allow, "RBAC: allowed by ClusterRoleBinding", """{"allowed":true,"reason":"RBAC: allowed by ClusterRoleBinding"}""")]
    public void AccessReview_Decision_FillsStatus(AuthorizationVerdict verdict, string reason, string expectedStatus)
    {
        var response = SelfSubjectAccessReviewHandler.Handle(
            Parse(CanIGetPods), Jane, new Recording(new AuthorizationDecision(verdict, reason)));

        Assert.Equal(expectedStatus, response["status"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"spec":{}}""", "spec.resourceAttributes")]
    [InlineData("""{}""", "spec.resourceAttributes")]
    [InlineData("""{"spec":{"resourceAttributes":{},"nonResourceAttributes":{}}}""", "spec.nonResourceAttributes")]
    public void AccessReview_NotExactlyOneAttributeSet_Invalid(string body, string field)
    {
        var status = SelfSubjectAccessReviewHandler.Validate(Parse(body));

        Assert.NotNull(status);
        Assert.Equal(422, status["code"]!.GetValue<int>());
        Assert.Equal("Invalid", status["reason"]!.GetValue<string>());
        Assert.Equal(field, status["details"]!["causes"]![0]!["field"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(CanIGetPods)]
    [InlineData(CanIGetHealthz)]
    public void AccessReview_KubectlBody_Valid(string body)
    {
        Assert.Null(SelfSubjectAccessReviewHandler.Validate(Parse(body)));
    }

    [Fact]
    public void RulesReview_AllowAuthenticated_EverythingComplete()
    {
        var request = Parse(
            """{"kind":"SelfSubjectRulesReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"namespace":"default"},"status":{"resourceRules":null,"nonResourceRules":null,"incomplete":false}}""");

        var response = SelfSubjectRulesReviewHandler.Handle(request, Jane, new AllowAuthenticatedAuthorizer());

        Assert.Equal("default", response["spec"]!["namespace"]!.GetValue<string>());
        Assert.Equal(
            """{"resourceRules":[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}],"nonResourceRules":[{"verbs":["*"],"nonResourceURLs":["*"]}],"incomplete":false}""",
            response["status"]!.ToJsonString());
    }

    [Fact]
    public void RulesReview_ResolverWithNamesAndError_ReportsThem()
    {
        var resolver = new FixedRules(new UserRules(
            [new ResourceRule(["get"], [""], ["configmaps"], ["cfg"])], [], Incomplete: true, EvaluationError: "webhook: no rules"));

        var response = SelfSubjectRulesReviewHandler.Handle(Parse("""{"spec":{"namespace":"ns"}}"""), Jane, resolver);

        Assert.Equal("ns", resolver.Namespace);
        Assert.Equal(
            """{"resourceRules":[{"verbs":["get"],"apiGroups":[""],"resources":["configmaps"],"resourceNames":["cfg"]}],"nonResourceRules":[],"incomplete":true,"evaluationError":"webhook: no rules"}""",
            response["status"]!.ToJsonString());
    }

    private sealed class FixedRules(UserRules rules) : IRuleResolver
    {
        public string? Namespace { get; private set; }

        public UserRules RulesFor(UserInfo user, string @namespace)
        {
            Namespace = @namespace;
            return rules;
        }
    }

    [Theory]
    [InlineData("authentication.k8s.io/v1")]
    [InlineData("authentication.k8s.io/v1beta1")]
    public void SelfSubjectReview_AnyServedVersion_AnswersInThatVersionWithUserInfo(string apiVersion)
    {
        var request = Parse(
            """{"kind":"SelfSubjectReview","apiVersion":""" + $"\"{apiVersion}\"" + ""","metadata":{"creationTimestamp":null},"status":{"userInfo":{}}}""");

        var response = SelfSubjectReviewHandler.Handle(request, Jane, TestPki.Start);

        Assert.Equal(apiVersion, response["apiVersion"]!.GetValue<string>());
        Assert.Equal("SelfSubjectReview", response["kind"]!.GetValue<string>());
        Assert.Equal("2026-03-01T12:00:00Z", response["metadata"]!["creationTimestamp"]!.GetValue<string>());
        Assert.Equal(
            """{"userInfo":{"username":"jane","uid":"uid-1","groups":["dev","system:authenticated"],"extra":{"scopes":["a","b"]}}}""",
            response["status"]!.ToJsonString());
    }

    [Fact]
    public async Task TokenReview_KnownToken_AuthenticatedWithUser()
    {
        var tokens = new StaticTokenAuthenticator(TokenFile.Parse("tok,alice,uid-a,admins"));
        var request = Parse("""{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"tok","audiences":["api"]}}""");

        var response = await TokenReviewHandler.HandleAsync(request, tokens, CancellationToken.None);

        Assert.Equal(
            """{"authenticated":true,"user":{"username":"alice","uid":"uid-a","groups":["admins","system:authenticated"]},"audiences":["api"]}""",
            response["status"]!.ToJsonString());
    }

    [Fact]
    public async Task TokenReview_UnknownToken_NotAuthenticated()
    {
        var tokens = new StaticTokenAuthenticator(TokenFile.Parse("tok,alice,uid-a"));
        var request = Parse("""{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"nope"}}""");

        var response = await TokenReviewHandler.HandleAsync(request, tokens, CancellationToken.None);

        Assert.Equal("""{"authenticated":false}""", response["status"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"spec":{}}""", true)]
    [InlineData("""{"spec":{"token":""}}""", true)]
    [InlineData("""{"spec":{"token":"x"}}""", false)]
    public void TokenReview_Validate_RequiresToken(string body, bool rejected)
    {
        var status = TokenReviewHandler.Validate(Parse(body));

        Assert.Equal(rejected, status is not null);
        if (status is not null)
        {
            Assert.Equal(400, status["code"]!.GetValue<int>());
            Assert.Equal("token is required for TokenReview in authentication", status["message"]!.GetValue<string>());
        }
    }
}
