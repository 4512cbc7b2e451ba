using System.Net;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.IntegrationTests;

[Collection(ApiServerCollection.Name)]
public sealed class CrudTests(ApiServerFixture server)
{
    private static string ConfigMap(string name, string value = "1") =>
        $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}","labels":{"app":"web"}},"data":{"k":"{{{value}}}"}}""";

    [Fact]
    public async Task Create_ThenGet_ReturnsObjectWithServerFields()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", ConfigMap("a"));
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.False(string.IsNullOrEmpty(created["metadata"]!["uid"]!.ToString()));
        Assert.False(string.IsNullOrEmpty(created["metadata"]!["resourceVersion"]!.ToString()));
        Assert.Equal(ns, created["metadata"]!["namespace"]!.ToString());

        var (getCode, got) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/a");
        Assert.Equal(HttpStatusCode.OK, getCode);
        Assert.Equal(created["metadata"]!["uid"]!.ToString(), got["metadata"]!["uid"]!.ToString());
        Assert.Equal("1", got["data"]!["k"]!.ToString());
    }

    [Fact]
    public async Task Create_Twice_Returns409AlreadyExists()
    {
        var ns = await server.CreateNamespaceAsync();
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", ConfigMap("dup"));
        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", ConfigMap("dup"));
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("AlreadyExists", status["reason"]!.ToString());
        Assert.Equal("configmaps \"dup\" already exists", status["message"]!.ToString());
    }

    [Fact]
    public async Task Create_WithGenerateName_GetsUniqueName()
    {
        var ns = await server.CreateNamespaceAsync();
        var body = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"gen-"}}""";
        var (_, first) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", body);
        var (_, second) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", body);
        var a = first["metadata"]!["name"]!.ToString();
        var b = second["metadata"]!["name"]!.ToString();
        Assert.StartsWith("gen-", a);
        Assert.Equal(9, a.Length);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public async Task Update_WithStaleResourceVersion_Returns409AndKeepsObject()
    {
        var ns = await server.CreateNamespaceAsync();
        var (_, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", ConfigMap("u"));
        var rv = created["metadata"]!["resourceVersion"]!.ToString();

        created["data"]!["k"] = "2";
        var (okCode, updated) = await server.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/configmaps/u", created.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, okCode);
        Assert.NotEqual(rv, updated["metadata"]!["resourceVersion"]!.ToString());

        created["data"]!["k"] = "3";
        var (staleCode, status) = await server.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/configmaps/u", created.ToJsonString());
        Assert.Equal(HttpStatusCode.Conflict, staleCode);
        Assert.Equal("Conflict", status["reason"]!.ToString());
        Assert.Contains("the object has been modified", status["message"]!.ToString());

        var (_, got) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/u");
        Assert.Equal("2", got["data"]!["k"]!.ToString());
    }

    [Fact]
    public async Task Update_ThatChangesNothing_KeepsResourceVersion()
    {
        var ns = await server.CreateNamespaceAsync();
        var (_, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", ConfigMap("same"));
        var (_, updated) = await server.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/configmaps/same", created.ToJsonString());
        Assert.Equal(created["metadata"]!["resourceVersion"]!.ToString(), updated["metadata"]!["resourceVersion"]!.ToString());
    }

    [Fact]
    public async Task Delete_WithFinalizer_StaysWithDeletionTimestampUntilFinalizerRemoved()
    {
        var ns = await server.CreateNamespaceAsync();
        var body = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fin","finalizers":["example.com/hold"]}}""";
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", body);

        var (deleteCode, _) = await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/configmaps/fin");
        Assert.Equal(HttpStatusCode.Accepted, deleteCode);
        var (getCode, held) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/fin");
        Assert.Equal(HttpStatusCode.OK, getCode);
        Assert.NotNull(held["metadata"]!["deletionTimestamp"]);

        held["metadata"]!.AsObject().Remove("finalizers");
        var (putCode, _) = await server.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/configmaps/fin", held.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, putCode);
        var (goneCode, _) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/fin");
        Assert.Equal(HttpStatusCode.NotFound, goneCode);
    }

    [Fact]
    public async Task List_WithLabelAndFieldSelectors_FiltersObjects()
    {
        var ns = await server.CreateNamespaceAsync();
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", ConfigMap("one"));
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"two","labels":{"app":"db"}}}""");

        var (_, web) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?labelSelector=app%3Dweb");
        Assert.Equal(["one"], Names(web));
        var (_, notWeb) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?labelSelector=app%20notin%20(web)");
        Assert.Equal(["two"], Names(notWeb));
        var (_, byName) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?fieldSelector=metadata.name%3Dtwo");
        Assert.Equal(["two"], Names(byName));
        var (badCode, bad) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?fieldSelector=spec.bogus%3Dx");
        Assert.Equal(HttpStatusCode.BadRequest, badCode);
        Assert.Contains("field label not supported", bad["message"]!.ToString());
    }

    [Fact]
    public async Task List_WithLimit_PagesThroughContinueTokens()
    {
        var ns = await server.CreateNamespaceAsync();
        for (var i = 0; i < 5; i++)
        {
            await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", ConfigMap($"p{i}"));
        }

        var names = new List<string>();
        var path = $"/api/v1/namespaces/{ns}/configmaps?limit=2";
        var pages = 0;
        while (true)
        {
            var (_, page) = await server.SendAsync(HttpMethod.Get, path);
            names.AddRange(Names(page));
            pages++;
            var next = page["metadata"]?["continue"]?.ToString();
            if (string.IsNullOrEmpty(next))
            {
                break;
            }

            path = $"/api/v1/namespaces/{ns}/configmaps?limit=2&continue={Uri.EscapeDataString(next)}";
        }

        Assert.Equal(3, pages);
        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], names);
    }

    [Fact]
    public async Task Create_InMissingNamespace_Returns404()
    {
        var (code, status) = await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/does-not-exist/configmaps", ConfigMap("x"));
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("namespaces \"does-not-exist\" not found", status["message"]!.ToString());
    }

    [Fact]
    public async Task Request_WithoutCredentials_Returns401()
    {
        using var anonymous = new HttpClient { BaseAddress = server.Host.Address };
        var response = await anonymous.GetAsync("/api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2,3]")]
    [InlineData("")]
    public async Task Create_WithMalformedBody_Returns400AndWritesNothing(string body)
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", body);
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("Status", status["kind"]!.ToString());
        var (_, list) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps");
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task Create_WithBodyOver3MiB_Returns413()
    {
        var ns = await server.CreateNamespaceAsync();
        var big = new string('x', 3 * 1024 * 1024 + 10);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps")
        {
            Content = new StringContent(ConfigMap("big", big), System.Text.Encoding.UTF8, "application/json"),
            Version = HttpVersion.Version11,
        };

        // With 100-continue the server can refuse before the client has sent the body.
        request.Headers.ExpectContinue = true;
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var status = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("RequestEntityTooLarge", status["reason"]!.ToString());
        var (getCode, _) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/big");
        Assert.Equal(HttpStatusCode.NotFound, getCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Create_ChunkedBodyWithoutLength_ReadInFull(bool tooLarge)
    {
        var ns = await server.CreateNamespaceAsync();
        var value = new string('v', tooLarge ? 3 * 1024 * 1024 + 10 : 100 * 1024);
        var bytes = System.Text.Encoding.UTF8.GetBytes(ConfigMap("chunked", value));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps")
        {
            // A stream of unknown length goes out chunked: the body arrives without Content-Length.
            Content = new StreamContent(new UnknownLengthStream(bytes)),
            Version = HttpVersion.Version11,
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(tooLarge ? HttpStatusCode.RequestEntityTooLarge : HttpStatusCode.Created, response.StatusCode);
        if (!tooLarge)
        {
            var (_, stored) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/chunked");
            Assert.Equal(value, stored["data"]!["k"]!.ToString());
        }
    }

    /// <summary>A readable stream that does not say how long it is.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }

    [Fact]
    public async Task Get_UnknownResource_Returns404Status()
    {
        var (code, status) = await server.SendAsync(HttpMethod.Get, "/apis/apps/v1/namespaces/default/widgets");
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("NotFound", status["reason"]!.ToString());
    }

    private static List<string> Names(JsonObject list) =>
        [.. list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.ToString())];
}
