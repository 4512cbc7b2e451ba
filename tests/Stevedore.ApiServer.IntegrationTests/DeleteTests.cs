using System.Net;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.IntegrationTests;

[Collection(ApiServerCollection.Name)]
public sealed class DeleteTests(ApiServerFixture server)
{
    private async Task<(string Ns, JsonObject Created)> CreateAsync()
    {
        var ns = await server.CreateNamespaceAsync();
        var (_, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"}}""");
        return (ns, created);
    }

    [Theory]
    [InlineData("Foreground", "foregroundDeletion")]
    [InlineData("Orphan", "orphan")]
    public async Task Delete_WithPropagationPolicy_AddsGarbageCollectorFinalizer(string policy, string finalizer)
    {
        var (ns, _) = await CreateAsync();
        var (code, deleting) = await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/configmaps/d",
            $"{{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"{policy}\"}}");
        Assert.Equal(HttpStatusCode.Accepted, code);
        Assert.NotNull(deleting["metadata"]!["deletionTimestamp"]);
        Assert.Equal([finalizer], deleting["metadata"]!["finalizers"]!.AsArray().Select(f => f!.ToString()));
    }

    [Fact]
    public async Task Delete_WithStaleUidPrecondition_Returns409AndKeepsObject()
    {
        var (ns, _) = await CreateAsync();
        var (code, status) = await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/configmaps/d",
            """{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"not-the-uid"}}""");
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Contains("Precondition failed: UID in precondition: not-the-uid", status["message"]!.ToString());
        var (getCode, _) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/d");
        Assert.Equal(HttpStatusCode.OK, getCode);
    }

    [Fact]
    public async Task Delete_ScheduledPod_WaitsForGracePeriod_UnscheduledPodGoesAtOnce()
    {
        var ns = await server.CreateNamespaceAsync();
        const string Pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"NAME"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""";
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", Pod.Replace("NAME", "bound", StringComparison.Ordinal));
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", Pod.Replace("NAME", "pending", StringComparison.Ordinal));
        var (bindCode, _) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/bound/binding",
            """{"apiVersion":"v1","kind":"Binding","metadata":{"name":"bound"},"target":{"apiVersion":"v1","kind":"Node","name":"node-1"}}""");
        Assert.Equal(HttpStatusCode.Created, bindCode);
        var (_, rebind) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/bound/binding",
            """{"apiVersion":"v1","kind":"Binding","metadata":{"name":"bound"},"target":{"apiVersion":"v1","kind":"Node","name":"node-2"}}""");
        Assert.Equal("Conflict", rebind["reason"]!.ToString());

        var (_, bound) = await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/bound");
        Assert.Equal(30, bound["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<int>());
        var (stillCode, _) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods/bound");
        Assert.Equal(HttpStatusCode.OK, stillCode);

        var (goneOnZero, _) = await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/bound?gracePeriodSeconds=0");
        Assert.Equal(HttpStatusCode.OK, goneOnZero);
        var (pendingCode, _) = await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/pending");
        Assert.Equal(HttpStatusCode.OK, pendingCode);
        var (_, list) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods");
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task DeleteCollection_WithLabelSelector_DeletesOnlyMatches()
    {
        var ns = await server.CreateNamespaceAsync();
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","labels":{"x":"1"}}}""");
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b","labels":{"x":"2"}}}""");
        var (code, _) = await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/configmaps?labelSelector=x%3D1");
        Assert.Equal(HttpStatusCode.OK, code);
        var (_, list) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps");
        Assert.Equal(["b"], list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.ToString()));
    }
    [Fact]
    public async Task UpdateStatus_TerminatingNamespaceWithSpecFinalizer_KeepsNamespaceUntilFinalized()
    {
        var ns = await server.CreateNamespaceAsync();
        var (deleteCode, deleting) = await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}");
        Assert.True(deleteCode is HttpStatusCode.OK or HttpStatusCode.Accepted, deleting.ToJsonString());
        Assert.Equal("Terminating", deleting["status"]!["phase"]!.ToString());

        // What the namespace controller writes while it empties the namespace.
        deleting["status"]!["conditions"] = JsonNode.Parse("""[{"type":"NamespaceContentRemaining","status":"True","reason":"SomeResourcesRemain","message":"Some resources are remaining: pods. has 1 resource instances"}]""");
        var (statusCode, written) = await server.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/status", deleting.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, statusCode);
        Assert.Equal("SomeResourcesRemain", written["status"]!["conditions"]![0]!["reason"]!.ToString());
        var (getCode, live) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}");
        Assert.Equal(HttpStatusCode.OK, getCode);
        Assert.Equal(["kubernetes"], live["spec"]!["finalizers"]!.AsArray().Select(f => f!.ToString()));

        live["spec"]!["finalizers"] = new JsonArray();
        var (finalizeCode, _) = await server.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/finalize", live.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, finalizeCode);
        var (goneCode, _) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}");
        Assert.Equal(HttpStatusCode.NotFound, goneCode);
    }

    [Fact]
    public async Task UpdateStatus_PodInGracePeriod_KeepsPodUntilFinalDelete()
    {
        var ns = await server.CreateNamespaceAsync();
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"nodeName":"node-1","containers":[{"name":"c","image":"busybox"}]}}""");
        var (_, deleting) = await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/p");
        Assert.Equal(30, deleting["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<int>());

        // The node reports the containers stopping; the pod must stay until the node's final delete.
        var (statusCode, _) = await server.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/pods/p/status",
            """{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"False"}]}}""", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, statusCode);
        var (stillCode, _) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods/p");
        Assert.Equal(HttpStatusCode.OK, stillCode);

        await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/p?gracePeriodSeconds=0");
        var (goneCode, _) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods/p");
        Assert.Equal(HttpStatusCode.NotFound, goneCode);
    }

    [Fact]
    public async Task Patch_RemovingLastFinalizerOfDeletedConfigMap_DeletesIt()
    {
        var ns = await server.CreateNamespaceAsync();
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["example.com/hold"]}}""");
        var (deleteCode, _) = await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/configmaps/held");
        Assert.Equal(HttpStatusCode.Accepted, deleteCode);

        await server.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/held", """[{"op":"remove","path":"/metadata/finalizers"}]""", "application/json-patch+json");
        var (goneCode, _) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/held");
        Assert.Equal(HttpStatusCode.NotFound, goneCode);
    }
}
