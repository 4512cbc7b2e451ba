using Stevedore.ApiServer.OpenApi;

namespace Stevedore.ApiServer.Tests.OpenApi;

public class OpenApiEndpointsTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static OpenApiResponse Respond(string path, string? hash = null, string? accept = null, string? ifNoneMatch = null) =>
        OpenApiEndpoints.Respond(TestDocuments.Documents, path, hash, accept, ifNoneMatch, Now) ?? throw new Xunit.Sdk.XunitException($"{path} is not an OpenAPI path");

    [Fact]
    public void Respond_V2WithKubectlProtobufAccept_ReturnsProtobufWithParsableContentType()
    {
        var response = Respond("/openapi/v2", accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(TestDocuments.Documents.V2Protobuf, response.Body);
        Assert.Equal("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", response.ContentType);
        Assert.DoesNotContain('@', response.ContentType ?? "");
        Assert.Equal("Accept", response.Headers["Vary"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("*/*")]
    [InlineData("application/json, */*")]
    [InlineData("text/html;q=0.9, application/json")]
    public void Respond_V2WithJsonOrAnyAccept_ReturnsJson(string? accept)
    {
        var response = Respond("/openapi/v2", accept: accept);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal(TestDocuments.Documents.V2Json, response.Body);
    }

    [Fact]
    public void Respond_V2WithUnsupportedAccept_Returns406()
    {
        Assert.Equal(406, Respond("/openapi/v2", accept: "text/html").StatusCode);
    }

    [Fact]
    public void Respond_MatchingIfNoneMatch_Returns304WithoutBody()
    {
        var first = Respond("/openapi/v2", accept: "application/json");

        var second = Respond("/openapi/v2", accept: "application/json", ifNoneMatch: first.Headers["ETag"]);

        Assert.Equal(304, second.StatusCode);
        Assert.Empty(second.Body);
        Assert.Equal(first.Headers["ETag"], second.Headers["ETag"]);
    }

    [Fact]
    public void Respond_V3Index_ReturnsIndexJson()
    {
        var response = Respond("/openapi/v3", accept: "application/json, */*");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(TestDocuments.Documents.V3Index, response.Body);
        Assert.Equal("application/json", response.ContentType);
    }

    [Fact]
    public void Respond_V3WithCurrentHash_IsImmutableForAYear()
    {
        TestDocuments.Documents.TryGetV3("apis/apps/v1", out var json, out var hash);

        var response = Respond("/openapi/v3/apis/apps/v1", hash: hash, accept: "application/json");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(json, response.Body);
        Assert.Equal("public, immutable", response.Headers["Cache-Control"]);
        Assert.Equal("Sat, 02 Jan 2027 03:04:05 GMT", response.Headers["Expires"]);
        Assert.Equal($"\"{hash}\"", response.Headers["ETag"]);
    }

    [Fact]
    public void Respond_V3WithStaleHash_RedirectsToCurrentHash()
    {
        TestDocuments.Documents.TryGetV3("apis/apps/v1", out _, out var hash);

        var response = Respond("/openapi/v3/apis/apps/v1", hash: "0123", accept: "application/json");

        Assert.Equal(301, response.StatusCode);
        Assert.Equal($"/openapi/v3/apis/apps/v1?hash={hash}", response.Headers["Location"]);
    }

    [Fact]
    public void Respond_V3WithoutHash_IsNotMarkedImmutable()
    {
        var response = Respond("/openapi/v3/api/v1", accept: "application/json");

        Assert.Equal(200, response.StatusCode);
        Assert.False(response.Headers.ContainsKey("Cache-Control"));
    }

    [Theory]
    [InlineData("application/com.github.proto-openapi.spec.v3@v1.0+protobuf", 406)]
    [InlineData("application/com.github.proto-openapi.spec.v3@v1.0+protobuf, application/json", 200)]
    public void Respond_V3Protobuf_IsNotProducedButJsonFallbackWorks(string accept, int status)
    {
        Assert.Equal(status, Respond("/openapi/v3/apis/apps/v1", accept: accept).StatusCode);
    }

    [Fact]
    public void Respond_UnknownGroupVersion_Returns404()
    {
        Assert.Equal(404, Respond("/openapi/v3/apis/example.com/v1").StatusCode);
    }

    [Theory]
    [InlineData("/api/v1")]
    [InlineData("/openapi")]
    [InlineData("/openapi/v4")]
    public void Respond_OtherPath_ReturnsNull(string path)
    {
        Assert.Null(OpenApiEndpoints.Respond(TestDocuments.Documents, path, null, null, null, Now));
    }

    [Fact]
    public void Hashes_Always_AreSha512OfTheServedBytes()
    {
        var documents = TestDocuments.Documents;

        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA512.HashData(documents.V2Json)), documents.V2JsonHash);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA512.HashData(documents.V2Protobuf)), documents.V2ProtobufHash);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA512.HashData(documents.V3Index)), documents.V3IndexHash);
        Assert.NotEqual(documents.V2JsonHash, documents.V2ProtobufHash);
    }
}
