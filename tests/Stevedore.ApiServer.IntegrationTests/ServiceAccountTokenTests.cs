using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.IntegrationTests;

[Collection(ServiceAccountServerCollection.Name)]
public sealed class ServiceAccountTokenTests(ServiceAccountServerFixture server)
{
    private static string Pod(string name, string serviceAccount) =>
        $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}"},"spec":{"serviceAccountName":"{{{serviceAccount}}}","containers":[{"name":"c","image":"busybox"}]}}""";

    private async Task<JsonObject> RequestTokenAsync(string ns, string account, string spec = "{}")
    {
        var (code, body) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/serviceaccounts/{account}/token",
            $$$"""{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{{{spec}}}}""");
        Assert.True(code == HttpStatusCode.Created, body.ToJsonString());
        return body;
    }

    /// <summary>Who the server takes the bearer of <paramref name="token"/> for, or null on 401.</summary>
    private async Task<JsonObject?> WhoAmIAsync(string token)
    {
        using var client = server.ClientWithToken(token);
        var (code, body) = await ServiceAccountServerFixture.SendAsync(client, HttpMethod.Post, "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            Encoding.UTF8.GetBytes("""{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}"""));
        if (code == HttpStatusCode.Unauthorized)
        {
            return null;
        }

        Assert.True(code == HttpStatusCode.Created, body.ToJsonString());
        return (JsonObject)body["status"]!["userInfo"]!;
    }

    [Fact]
    public async Task TokenRequest_ForAnAccount_ReturnsAJwtThatAuthenticatesAsTheAccount()
    {
        var ns = await server.CreateNamespaceAsync("builder");
        var before = DateTimeOffset.UtcNow;

        var response = await RequestTokenAsync(ns, "builder");

        Assert.Equal("TokenRequest", response["kind"]!.ToString());
        Assert.Equal("authentication.k8s.io/v1", response["apiVersion"]!.ToString());
        Assert.Equal(3600, response["spec"]!["expirationSeconds"]!.GetValue<long>());
        Assert.Equal("https://kubernetes.default.svc.cluster.local", response["spec"]!["audiences"]![0]!.ToString());
        var expiry = DateTimeOffset.Parse(response["status"]!["expirationTimestamp"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiry, before.AddSeconds(3599), DateTimeOffset.UtcNow.AddSeconds(3601));
        var token = response["status"]!["token"]!.ToString();
        Assert.Equal(3, token.Split('.').Length);

        var user = await WhoAmIAsync(token);
        Assert.NotNull(user);
        Assert.Equal($"system:serviceaccount:{ns}:builder", user["username"]!.ToString());
        var groups = user["groups"]!.AsArray().Select(g => g!.ToString()).ToList();
        Assert.Equal(["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"], groups);

        using var asAccount = server.ClientWithToken(token);
        var (listCode, _) = await ServiceAccountServerFixture.SendAsync(asAccount, HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps");
        Assert.Equal(HttpStatusCode.OK, listCode);
    }

    [Fact]
    public async Task TokenRequest_BoundToAPod_StopsAuthenticatingOnceThePodIsDeleted()
    {
        var ns = await server.CreateNamespaceAsync("default", "runner");
        var pod = await server.CreateAsync($"/api/v1/namespaces/{ns}/pods", Pod("web", "runner"));
        var uid = pod["metadata"]!["uid"]!.ToString();
        var response = await RequestTokenAsync(ns, "runner", $$$"""{"boundObjectRef":{"apiVersion":"v1","kind":"Pod","name":"web","uid":"{{{uid}}}"}}""");
        var token = response["status"]!["token"]!.ToString();
        var user = await WhoAmIAsync(token);
        Assert.NotNull(user);
        Assert.Equal("web", user["extra"]!["authentication.kubernetes.io/pod-name"]![0]!.ToString());
        Assert.Equal(uid, user["extra"]!["authentication.kubernetes.io/pod-uid"]![0]!.ToString());

        var (deleteCode, _) = await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/web?gracePeriodSeconds=0");
        Assert.True(deleteCode is HttpStatusCode.OK or HttpStatusCode.Accepted);
        var (getCode, _) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods/web");
        Assert.Equal(HttpStatusCode.NotFound, getCode);

        Assert.Null(await WhoAmIAsync(token));

        // A new pod of the same name is another object: the old token stays dead.
        await server.CreateAsync($"/api/v1/namespaces/{ns}/pods", Pod("web", "runner"));
        Assert.Null(await WhoAmIAsync(token));
    }

    [Fact]
    public async Task TokenRequest_AccountDeleted_TokenStopsAuthenticating()
    {
        var ns = await server.CreateNamespaceAsync("temp");
        var token = (await RequestTokenAsync(ns, "temp"))["status"]!["token"]!.ToString();
        Assert.NotNull(await WhoAmIAsync(token));

        await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/serviceaccounts/temp");
        Assert.Null(await WhoAmIAsync(token));

        // Recreated under the same name it is another account: the token stays dead.
        await server.CreateAsync($"/api/v1/namespaces/{ns}/serviceaccounts", """{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"temp"}}""");

        Assert.Null(await WhoAmIAsync(token));
    }

    [Fact]
    public async Task TokenRequest_ForeignAudienceOnly_IsSignedButNotAcceptedByThisServer()
    {
        var ns = await server.CreateNamespaceAsync("builder");
        var response = await RequestTokenAsync(ns, "builder", """{"audiences":["vault"],"expirationSeconds":600}""");
        var token = response["status"]!["token"]!.ToString();

        var payload = JsonNode.Parse(Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1])))!;
        Assert.Equal("vault", Assert.Single(payload["aud"]!.AsArray())!.ToString());
        Assert.Equal(600, payload["exp"]!.GetValue<long>() - payload["iat"]!.GetValue<long>());
        Assert.Null(await WhoAmIAsync(token));
    }

    [Fact]
    public async Task TokenRequest_ShorterThanTenMinutes_Is422WithUpstreamMessage()
    {
        var ns = await server.CreateNamespaceAsync("builder");
        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/serviceaccounts/builder/token",
            """{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":60}}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes",
            status["message"]!.ToString());
    }

    [Fact]
    public async Task TokenRequest_UnknownAccount_Is404()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/serviceaccounts/nobody/token", """{"spec":{}}""");

        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("serviceaccounts \"nobody\" not found", status["message"]!.ToString());
    }

    [Fact]
    public async Task TokenRequest_BoundToAPodOfAnotherAccountOrStaleUid_IsRefused()
    {
        var ns = await server.CreateNamespaceAsync("default", "runner", "other");
        await server.CreateAsync($"/api/v1/namespaces/{ns}/pods", Pod("web", "runner"));

        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/serviceaccounts/other/token",
            """{"spec":{"boundObjectRef":{"apiVersion":"v1","kind":"Pod","name":"web"}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("cannot bind token for serviceaccount \"other\" to pod running with different serviceaccount name.", status["message"]!.ToString());

        (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/serviceaccounts/runner/token",
            """{"spec":{"boundObjectRef":{"apiVersion":"v1","kind":"Pod","name":"web","uid":"not-the-uid"}}}""");
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Contains("the UID in the bound object reference (not-the-uid) does not match the UID in record", status["message"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenRequest_ProtobufBodyAsKubectl132SendsIt_IsServed()
    {
        var ns = await server.CreateNamespaceAsync("sa1");
        // `kubectl create token sa1 --duration=1h` as kubectl 1.32 sends it (captured on loopback).
        var body = Convert.FromHexString("6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e52657175657374121d0a100a0012001a0022002a00320038004200120320901c1a040a0012001a002200");

        var (code, response) = await ServiceAccountServerFixture.SendAsync(server.Client, HttpMethod.Post,
            $"/api/v1/namespaces/{ns}/serviceaccounts/sa1/token", body, "application/vnd.kubernetes.protobuf");

        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal(3600, response["spec"]!["expirationSeconds"]!.GetValue<long>());
        Assert.NotNull(await WhoAmIAsync(response["status"]!["token"]!.ToString()));
    }

    [Fact]
    public async Task OpenIdDiscovery_PublishesAKeyThatVerifiesIssuedTokens()
    {
        var ns = await server.CreateNamespaceAsync("builder");
        var token = (await RequestTokenAsync(ns, "builder"))["status"]!["token"]!.ToString();

        var (configCode, config) = await server.SendAsync(HttpMethod.Get, "/.well-known/openid-configuration");
        Assert.Equal(HttpStatusCode.OK, configCode);
        Assert.Equal("https://kubernetes.default.svc.cluster.local", config["issuer"]!.ToString());
        Assert.Equal("https://kubernetes.default.svc.cluster.local/openid/v1/jwks", config["jwks_uri"]!.ToString());
        var (jwksCode, jwks) = await server.SendAsync(HttpMethod.Get, "/openid/v1/jwks");
        Assert.Equal(HttpStatusCode.OK, jwksCode);

        var parts = token.Split('.');
        var header = JsonNode.Parse(Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0])))!;
        var jwk = jwks["keys"]!.AsArray().Single(k => k!["kid"]!.ToString() == header["kid"]!.ToString())!;
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = System.Buffers.Text.Base64Url.DecodeFromChars(jwk["x"]!.ToString()),
                Y = System.Buffers.Text.Base64Url.DecodeFromChars(jwk["y"]!.ToString()),
            },
        });
        Assert.True(key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }
}
