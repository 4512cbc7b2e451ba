using System.Text;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Security.ServiceAccounts;

namespace Stevedore.ApiServer.Tests.Security;

public sealed class ServiceAccountTokenTests : IDisposable
{
    private static readonly string[] ApiAudience = [ServiceAccountTokenIssuer.DefaultIssuer];
    private readonly ServiceAccountSigningKey _key = ServiceAccountSigningKey.Generate();
    private readonly ManualClock _clock = new(TestPki.Start);

    public void Dispose() => _key.Dispose();

    private ServiceAccountTokenIssuer Issuer(ServiceAccountSigningKey? key = null, string issuer = ServiceAccountTokenIssuer.DefaultIssuer) =>
        new(key ?? _key, _clock, issuer);

    private ServiceAccountTokenClaims Claims(string[]? audiences = null, TimeSpan? lifetime = null) => new(
        ServiceAccountTokenIssuer.DefaultIssuer, audiences ?? ApiAudience, _clock.GetUtcNow(), _clock.GetUtcNow(),
        _clock.GetUtcNow() + (lifetime ?? TimeSpan.FromHours(1)), "jti-1", "shop",
        new ClaimedObject("builder", "sa-uid"), Pod: new ClaimedObject("web-0", "pod-uid"), Node: new ClaimedObject("node-a", "node-uid"));

    private static JsonObject DecodePart(string token, int part) =>
        (JsonObject)JsonNode.Parse(Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[part])))!;

    [Fact]
    public void Sign_ProducesEs256JwsWithUpstreamClaimShape()
    {
        var token = Issuer().Sign(Claims());

        var header = DecodePart(token, 0);
        Assert.Equal("ES256", header["alg"]!.ToString());
        Assert.Equal(_key.KeyId, header["kid"]!.ToString());
        var payload = DecodePart(token, 1);
        Assert.Equal("system:serviceaccount:shop:builder", payload["sub"]!.ToString());
        Assert.Equal(ServiceAccountTokenIssuer.DefaultIssuer, payload["iss"]!.ToString());
        Assert.Equal(ServiceAccountTokenIssuer.DefaultIssuer, Assert.Single(payload["aud"]!.AsArray())!.ToString());
        Assert.Equal(TestPki.Start.ToUnixTimeSeconds() + 3600, payload["exp"]!.GetValue<long>());
        Assert.Equal(TestPki.Start.ToUnixTimeSeconds(), payload["iat"]!.GetValue<long>());
        Assert.Equal(TestPki.Start.ToUnixTimeSeconds(), payload["nbf"]!.GetValue<long>());
        Assert.Equal("jti-1", payload["jti"]!.ToString());
        var kubernetes = payload["kubernetes.io"]!;
        Assert.Equal("shop", kubernetes["namespace"]!.ToString());
        Assert.Equal("builder", kubernetes["serviceaccount"]!["name"]!.ToString());
        Assert.Equal("sa-uid", kubernetes["serviceaccount"]!["uid"]!.ToString());
        Assert.Equal("web-0", kubernetes["pod"]!["name"]!.ToString());
        Assert.Equal("pod-uid", kubernetes["pod"]!["uid"]!.ToString());
        Assert.Equal("node-a", kubernetes["node"]!["name"]!.ToString());
        Assert.Null(kubernetes["secret"]);
    }

    [Fact]
    public void Check_OwnToken_ReturnsItsClaims()
    {
        var issuer = Issuer();
        var check = issuer.Check(issuer.Sign(Claims()));

        Assert.True(check.IsOurs);
        Assert.Null(check.Failure);
        Assert.Equal(Claims() with { Audiences = check.Claims!.Audiences }, check.Claims);
        Assert.Equal(ApiAudience, check.Claims.Audiences);
    }

    [Fact]
    public void Check_PayloadChangedAfterSigning_IsRejected()
    {
        var issuer = Issuer();
        var parts = issuer.Sign(Claims()).Split('.');
        var forged = Issuer().Sign(Claims() with { ServiceAccount = new ClaimedObject("admin", "sa-uid") }).Split('.');

        var check = issuer.Check($"{parts[0]}.{forged[1]}.{parts[2]}");

        Assert.True(check.IsOurs);
        Assert.Null(check.Claims);
        Assert.Equal("invalid signature", check.Failure);
    }

    [Fact]
    public void Check_SignedByAnotherKeyOfTheSameIssuer_IsRejected()
    {
        using var other = ServiceAccountSigningKey.Generate();
        var check = Issuer().Check(Issuer(other).Sign(Claims()));

        Assert.True(check.IsOurs);
        Assert.Null(check.Claims);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJub25lIn0.e30.")]
    public void Check_NotAServiceAccountJwt_IsLeftToOtherAuthenticators(string token)
    {
        Assert.Equal(TokenCheck.NotOurs, Issuer().Check(token));
    }

    [Fact]
    public void Check_TokenOfAnotherIssuer_IsLeftToOtherAuthenticators()
    {
        var foreign = Issuer(issuer: "https://elsewhere.example").Sign(Claims() with { Issuer = "https://elsewhere.example" });
        Assert.False(Issuer().Check(foreign).IsOurs);
    }

    [Theory]
    [InlineData(3600 + 59, null)]
    [InlineData(3600 + 61, "service account token has expired")]
    public void Check_AfterExpiry_AllowsOneMinuteOfSkewOnly(int secondsLater, string? failure)
    {
        var issuer = Issuer();
        var token = issuer.Sign(Claims());
        _clock.Advance(TimeSpan.FromSeconds(secondsLater));

        Assert.Equal(failure, issuer.Check(token).Failure);
    }

    [Fact]
    public void CheckTimesAndAudience_NotYetValid_IsRejected()
    {
        var claims = Claims() with { NotBefore = TestPki.Start.AddMinutes(5) };
        Assert.Equal("service account token is not valid yet", ServiceAccountTokenValidation.CheckTimesAndAudience(claims, TestPki.Start, ApiAudience));
    }

    [Fact]
    public void CheckTimesAndAudience_OnlyAForeignAudience_IsRejected()
    {
        var failure = ServiceAccountTokenValidation.CheckTimesAndAudience(Claims(["vault"]), TestPki.Start, ApiAudience);
        Assert.Equal($"token audiences [vault] is invalid for the target audiences [{ServiceAccountTokenIssuer.DefaultIssuer}]", failure);
    }

    [Fact]
    public void CheckTimesAndAudience_OneOfSeveralAudiencesIsTheServers_IsAccepted()
    {
        Assert.Null(ServiceAccountTokenValidation.CheckTimesAndAudience(Claims(["vault", ApiAudience[0]]), TestPki.Start, ApiAudience));
    }

    public static TheoryData<ObjectState?, ObjectState?, string?> BoundObjectCases()
    {
        var sa = new ObjectState("sa-uid", null);
        var pod = new ObjectState("pod-uid", null);
        return new()
        {
            { sa, pod, null },
            { null, pod, "serviceaccounts \"builder\" not found" },
            { new ObjectState("other", null), pod, "service account UID (other) does not match claim (sa-uid)" },
            { new ObjectState("sa-uid", TestPki.Start.AddMinutes(-5)), pod, "service account shop/builder has been deleted" },
            { sa, null, "service account token has been invalidated" },
            { sa, new ObjectState("new-pod-uid", null), "pod UID (new-pod-uid) does not match service account pod ref claim (pod-uid)" },
            { sa, new ObjectState("pod-uid", TestPki.Start.AddMinutes(-2)), "service account token has been invalidated" },
            // Deleted within the last minute: still honoured, as upstream.
            { sa, new ObjectState("pod-uid", TestPki.Start.AddSeconds(-30)), null },
        };
    }

    [Theory]
    [MemberData(nameof(BoundObjectCases))]
    public void CheckBoundObjects_StateOfAccountAndPod_DecidesValidity(ObjectState? serviceAccount, ObjectState? pod, string? failure)
    {
        // The node of a pod-bound token is informational: its absence never matters.
        Assert.Equal(failure, ServiceAccountTokenValidation.CheckBoundObjects(Claims(), TestPki.Start, serviceAccount, pod, null, null));
    }

    [Fact]
    public void ToUser_PodBoundToken_IsTheServiceAccountWithItsGroupsAndPodExtras()
    {
        var user = ServiceAccountTokenAuthenticator.ToUser(Claims());

        Assert.Equal("system:serviceaccount:shop:builder", user.Name);
        Assert.Equal("sa-uid", user.Uid);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"], user.Groups);
        Assert.Equal(["web-0"], user.Extra["authentication.kubernetes.io/pod-name"]);
        Assert.Equal(["pod-uid"], user.Extra["authentication.kubernetes.io/pod-uid"]);
        Assert.Equal(["node-a"], user.Extra["authentication.kubernetes.io/node-name"]);
        Assert.Equal(["JTI=jti-1"], user.Extra["authentication.kubernetes.io/credential-id"]);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void SigningKey_LoadOrCreate_CreatesOwnerOnlyFileAndReloadsTheSameKey()
    {
        using var data = new TemporaryDirectory();
        string firstKeyId;
        using (var first = ServiceAccountSigningKey.LoadOrCreate(data.Path))
        {
            firstKeyId = first.KeyId;
        }

        var path = Path.Combine(data.Path, "tls", ServiceAccountSigningKey.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        using var second = ServiceAccountSigningKey.LoadOrCreate(data.Path);
        Assert.Equal(firstKeyId, second.KeyId);
    }

    [Fact]
    public void SigningKey_LoadOrCreate_CorruptFile_ThrowsInsteadOfReplacingIt()
    {
        using var data = new TemporaryDirectory();
        Directory.CreateDirectory(Path.Combine(data.Path, "tls"));
        var path = Path.Combine(data.Path, "tls", ServiceAccountSigningKey.FileName);
        File.WriteAllText(path, "not a key");

        var error = Assert.Throws<InvalidOperationException>(() => ServiceAccountSigningKey.LoadOrCreate(data.Path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal("not a key", File.ReadAllText(path));
    }

    [Fact]
    public void SigningKey_ToJwk_PublishesThePublicPointOnly()
    {
        var jwk = _key.ToJwk();

        Assert.Equal("EC", jwk["kty"]!.ToString());
        Assert.Equal("P-256", jwk["crv"]!.ToString());
        Assert.Equal("ES256", jwk["alg"]!.ToString());
        Assert.Equal(_key.KeyId, jwk["kid"]!.ToString());
        Assert.Equal(32, System.Buffers.Text.Base64Url.DecodeFromChars(jwk["x"]!.ToString()).Length);
        Assert.Equal(32, System.Buffers.Text.Base64Url.DecodeFromChars(jwk["y"]!.ToString()).Length);
        Assert.Null(jwk["d"]);
    }

    [Fact]
    public void TokenRequest_WithoutExpirationOrAudiences_GetsUpstreamDefaults()
    {
        var request = new JsonObject { ["spec"] = new JsonObject() };

        Assert.Empty(TokenRequests.DefaultAndValidate(request, ApiAudience));
        Assert.Equal(3600, TokenRequests.ExpirationSeconds(request));
        Assert.Equal(ApiAudience, TokenRequests.Audiences(request));
    }

    [Theory]
    [InlineData(599, "Invalid value: 599: may not specify a duration less than 10 minutes")]
    [InlineData(600, null)]
    [InlineData(4294967296, null)]
    [InlineData(4294967297, "Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds")]
    public void TokenRequest_ExpirationSeconds_MustBeBetweenTenMinutesAndTwoToThe32Seconds(long seconds, string? message)
    {
        var request = new JsonObject { ["spec"] = new JsonObject { ["expirationSeconds"] = seconds } };
        var causes = TokenRequests.DefaultAndValidate(request, ApiAudience);

        Assert.Equal(message, causes.SingleOrDefault()?.Message);
        if (message is not null)
        {
            Assert.Equal("spec.expirationSeconds", causes.Single().Field);
        }
    }

    [Fact]
    public void TokenRequest_BoundToADeployment_IsABadRequest()
    {
        var request = JsonNode.Parse("""{"spec":{"boundObjectRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"}}}""")!.AsObject();

        var error = Assert.Throws<ApiException>(() => TokenRequests.BoundObject(request));
        Assert.Equal(400, error.Code);
        Assert.Equal("cannot bind token to object of type apps/v1, Kind=Deployment", error.Message);
    }

    [Fact]
    public void TokenRequest_BoundToAPod_ReadsKindNameAndUid()
    {
        var request = JsonNode.Parse("""{"spec":{"boundObjectRef":{"apiVersion":"v1","kind":"Pod","name":"web-0","uid":"u1"}}}""")!.AsObject();
        Assert.Equal(new BoundObjectReference("Pod", "web-0", "u1"), TokenRequests.BoundObject(request));
    }
}
