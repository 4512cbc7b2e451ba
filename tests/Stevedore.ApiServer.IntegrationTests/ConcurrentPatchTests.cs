using System.Net;

namespace Stevedore.ApiServer.IntegrationTests;

/// <summary>Patches without a resourceVersion never fail because another writer got in first (upstream GuaranteedUpdate).</summary>
[Collection(ApiServerCollection.Name)]
public sealed class ConcurrentPatchTests(ApiServerFixture server)
{
    [Fact]
    public async Task MergePatch_ManyConcurrentWriters_AllApplyWithoutConflict()
    {
        var ns = await server.CreateNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps/shared";
        var (created, _) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"shared"}}""");
        Assert.Equal(HttpStatusCode.Created, created);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            server.SendAsync(HttpMethod.Patch, path, "{\"data\":{\"k" + i + "\":\"v\"}}", "application/merge-patch+json")));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Code));
        var (_, final) = await server.SendAsync(HttpMethod.Get, path);
        Assert.Equal(16, final["data"]!.AsObject().Count);
    }

    [Fact]
    public async Task MergePatch_WithStaleResourceVersion_StillConflicts()
    {
        var ns = await server.CreateNamespaceAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps/pinned";
        var (_, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"pinned"},"data":{"a":"1"}}""");
        var staleRv = created["metadata"]!["resourceVersion"]!.ToString();
        await server.SendAsync(HttpMethod.Patch, path, """{"data":{"a":"2"}}""", "application/merge-patch+json");

        var (code, _) = await server.SendAsync(HttpMethod.Patch, path, "{\"metadata\":{\"resourceVersion\":\"" + staleRv + "\"},\"data\":{\"a\":\"3\"}}", "application/merge-patch+json");

        Assert.Equal(HttpStatusCode.Conflict, code);
    }
}
