using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.Pki;

namespace Stevedore.ApiServer.Tests.Security;

public sealed class AuthenticatorTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();
    private readonly ManualClock _clock = new(TestPki.Start);

    public void Dispose() => _data.Dispose();

    private static DefaultHttpContext Request(string? authorization = null, X509Certificate2? certificate = null)
    {
        var ctx = new DefaultHttpContext();
        if (authorization is not null)
        {
            ctx.Request.Headers.Authorization = authorization;
        }

        ctx.Connection.ClientCertificate = certificate;
        return ctx;
    }

    private static StaticTokenAuthenticator Tokens() => new(TokenFile.Parse("secret,alice,uid-a,\"dev,ops\"\nother,bob,uid-b"));

    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer abc", "abc")]
    [InlineData("  Bearer   abc  ", "abc")]
    [InlineData("Bearer ", null)]
    [InlineData("Basic YTpi", null)]
    [InlineData("abc", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void ExtractToken_HeaderValue_YieldsBearerToken(string? header, string? expected)
    {
        Assert.Equal(expected, BearerTokenAuthenticator.ExtractToken(header));
    }

    [Fact]
    public async Task BearerTokenAuthenticator_KnownToken_YieldsItsUser()
    {
        var authenticator = new BearerTokenAuthenticator([Tokens()]);

        var user = await authenticator.AuthenticateAsync(Request("Bearer secret"));

        Assert.NotNull(user);
        Assert.Equal("alice", user.Name);
        Assert.Equal("uid-a", user.Uid);
        Assert.Equal(["dev", "ops"], user.Groups);
    }

    [Theory]
    [InlineData("Bearer secre")]
    [InlineData("Bearer secrett")]
    [InlineData("Basic c2VjcmV0")]
    public async Task BearerTokenAuthenticator_UnknownToken_YieldsNull(string header)
    {
        var authenticator = new BearerTokenAuthenticator([Tokens()]);

        Assert.Null(await authenticator.AuthenticateAsync(Request(header)));
    }

    [Fact]
    public async Task BearerTokenAuthenticator_SeveralTokenAuthenticators_AsksEachInTurn()
    {
        var admin = new StaticTokenAuthenticator([new StaticToken("admin-token", new UserInfo("system:admin", null, ["system:masters"]))]);
        var authenticator = new BearerTokenAuthenticator([Tokens(), admin]);

        var user = await authenticator.AuthenticateAsync(Request("Bearer admin-token"));

        Assert.Equal("system:admin", user?.Name);
    }

    [Fact]
    public async Task StaticTokenAuthenticator_DuplicateToken_LaterEntryWins()
    {
        var authenticator = new StaticTokenAuthenticator(TokenFile.Parse("t,alice,1\nt,bob,2"));

        Assert.Equal(1, authenticator.Count);
        Assert.Equal("bob", (await authenticator.AuthenticateTokenAsync("t", default))?.Name);
    }

    [Fact]
    public async Task X509Authenticator_CertificateFromClusterCa_MapsCnToUserAndOToGroups()
    {
        using var certs = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock);
        using var certificate = certs.IssueClientCertificate("jane", ["dev", "ops"], TimeSpan.FromDays(1)).ToX509Certificate2();
        var authenticator = new X509ClientCertificateAuthenticator(certs.ClientCertificateValidator);

        var user = await authenticator.AuthenticateAsync(Request(certificate: certificate));

        Assert.NotNull(user);
        Assert.Equal("jane", user.Name);
        Assert.Null(user.Uid);
        Assert.Equal(["dev", "ops", "system:authenticated"], user.Groups);
    }

    [Fact]
    public async Task X509Authenticator_ForeignCertificate_YieldsNull()
    {
        using var other = new TemporaryDirectory();
        using var foreign = ClusterCertificates.LoadOrCreate(other.Path, TestPki.Names(), _clock);
        using var certs = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock);
        using var certificate = foreign.IssueClientCertificate("mallory", ["system:masters"], TimeSpan.FromDays(1)).ToX509Certificate2();
        var authenticator = new X509ClientCertificateAuthenticator(certs.ClientCertificateValidator);

        Assert.Null(await authenticator.AuthenticateAsync(Request(certificate: certificate)));
        Assert.Null(await authenticator.AuthenticateAsync(Request()));
    }

    [Fact]
    public async Task UnionAuthenticator_FirstRecognising_WinsAndGetsAuthenticatedGroup()
    {
        using var certs = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock);
        using var certificate = certs.IssueClientCertificate("jane", [], TimeSpan.FromDays(1)).ToX509Certificate2();
        var union = new UnionAuthenticator(
            new X509ClientCertificateAuthenticator(certs.ClientCertificateValidator),
            new BearerTokenAuthenticator([Tokens()]));

        var byToken = await union.AuthenticateAsync(Request("Bearer secret"));
        var byCertificate = await union.AuthenticateAsync(Request("Bearer secret", certificate));
        var nobody = await union.AuthenticateAsync(Request("Bearer wrong"));

        Assert.Equal("alice", byToken?.Name);
        Assert.Equal(["dev", "ops", "system:authenticated"], byToken?.Groups);
        Assert.Equal("jane", byCertificate?.Name);
        Assert.Null(nobody);
    }

    [Fact]
    public void Unauthorized_Body_IsKubernetesStatus()
    {
        var status = AuthenticationStatus.Unauthorized();

        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""",
            status.ToJsonString());
    }
}
