using System.Net;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.IntegrationTests;

[Collection(ApiServerCollection.Name)]
public sealed class WatchTests(ApiServerFixture server)
{
    private sealed class WatchStream(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public HttpResponseMessage Response { get; } = response;

        public async Task<JsonObject> NextAsync(int timeoutSeconds = 15)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("watch ended");
            return JsonNode.Parse(line)!.AsObject();
        }

        public void Dispose()
        {
            reader.Dispose();
            Response.Dispose();
        }
    }

    private async Task<WatchStream> OpenAsync(string path)
    {
        var response = await server.Client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new WatchStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    [Fact]
    public async Task Watch_FromListResourceVersion_SeesCreateUpdateDelete()
    {
        var ns = await server.CreateNamespaceAsync();
        var (_, list) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps");
        var rv = list["metadata"]!["resourceVersion"]!.ToString();
        using var watch = await OpenAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}");

        var (_, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w"},"data":{"a":"1"}}""");
        created["data"]!["a"] = "2";
        await server.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/configmaps/w", created.ToJsonString());
        await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/configmaps/w");

        var added = await watch.NextAsync();
        var modified = await watch.NextAsync();
        var deleted = await watch.NextAsync();
        Assert.Equal("ADDED", added["type"]!.ToString());
        Assert.Equal("MODIFIED", modified["type"]!.ToString());
        Assert.Equal("2", modified["object"]!["data"]!["a"]!.ToString());
        Assert.Equal("DELETED", deleted["type"]!.ToString());
        var revisions = new[] { added, modified, deleted }.Select(e => long.Parse(e["object"]!["metadata"]!["resourceVersion"]!.ToString())).ToList();
        Assert.True(revisions[0] < revisions[1] && revisions[1] < revisions[2]);
    }

    [Fact]
    public async Task Watch_WithoutResourceVersion_StartsWithExistingObjects()
    {
        var ns = await server.CreateNamespaceAsync();
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"pre"}}""");
        using var watch = await OpenAsync($"/api/v1/namespaces/{ns}/configmaps?watch=1");
        var first = await watch.NextAsync();
        Assert.Equal("ADDED", first["type"]!.ToString());
        Assert.Equal("pre", first["object"]!["metadata"]!["name"]!.ToString());
    }

    [Fact]
    public async Task Watch_WithLabelSelector_TurnsLabelChangesIntoAddedAndDeleted()
    {
        var ns = await server.CreateNamespaceAsync();
        var (_, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"l","labels":{"tier":"a"}}}""");
        var rv = created["metadata"]!["resourceVersion"]!.ToString();
        using var watch = await OpenAsync($"/api/v1/namespaces/{ns}/configmaps?watch=1&labelSelector=tier%3Db&resourceVersion={rv}");

        created["metadata"]!["labels"]!["tier"] = "b";
        var (_, relabelled) = await server.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/configmaps/l", created.ToJsonString());
        relabelled["metadata"]!["labels"]!["tier"] = "c";
        await server.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/configmaps/l", relabelled.ToJsonString());

        Assert.Equal("ADDED", (await watch.NextAsync())["type"]!.ToString());
        Assert.Equal("DELETED", (await watch.NextAsync())["type"]!.ToString());
    }

    [Fact]
    public async Task Watch_SendInitialEvents_EndsInitialListWithBookmark()
    {
        var ns = await server.CreateNamespaceAsync();
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"i"}}""");
        using var watch = await OpenAsync($"/api/v1/namespaces/{ns}/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true");
        Assert.Equal("ADDED", (await watch.NextAsync())["type"]!.ToString());
        var bookmark = await watch.NextAsync();
        Assert.Equal("BOOKMARK", bookmark["type"]!.ToString());
        Assert.Equal("true", bookmark["object"]!["metadata"]!["annotations"]!["k8s.io/initial-events-end"]!.ToString());
    }

    [Fact]
    public async Task Watch_WithBookmarksFallingSilent_SendsBookmarkThenKeepsDeliveringEvents()
    {
        var ns = await server.CreateNamespaceAsync();
        var (_, list) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps");
        var rv = list["metadata"]!["resourceVersion"]!.ToString();
        using var watch = await OpenAsync($"/api/v1/namespaces/{ns}/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion={rv}");

        var (_, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"before"}}""");
        Assert.Equal("ADDED", (await watch.NextAsync())["type"]!.ToString());

        // Nothing happens in the namespace now: after the bookmark interval (10 s) the server says where it is.
        var bookmark = await watch.NextAsync(timeoutSeconds: 60);
        Assert.Equal("BOOKMARK", bookmark["type"]!.ToString());
        Assert.True(long.Parse(bookmark["object"]!["metadata"]!["resourceVersion"]!.ToString()) >= long.Parse(created["metadata"]!["resourceVersion"]!.ToString()));

        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"after"}}""");
        var added = await watch.NextAsync();
        Assert.Equal("ADDED", added["type"]!.ToString());
        Assert.Equal("after", added["object"]!["metadata"]!["name"]!.ToString());
    }

    [Fact]
    public async Task Watch_FromRevisionOlderThanHistory_ReturnsExpiredErrorEvent()
    {
        var ns = await server.CreateNamespaceAsync();
        // Push more events through one resource than its history keeps.
        var (_, first) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/secrets", """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"first"}}""");
        var firstRv = first["metadata"]!["resourceVersion"]!.ToString();
        var tasks = new List<Task>();
        for (var i = 0; i < Watch.WatchCache.HistoryCapacity + 10; i++)
        {
            tasks.Add(server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/secrets", $"{{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{{\"name\":\"s{i}\"}}}}"));
            if (tasks.Count == 32)
            {
                await Task.WhenAll(tasks);
                tasks.Clear();
            }
        }

        await Task.WhenAll(tasks);
        using var watch = await OpenAsync($"/api/v1/namespaces/{ns}/secrets?watch=1&resourceVersion={firstRv}");
        var error = await watch.NextAsync();
        Assert.Equal("ERROR", error["type"]!.ToString());
        Assert.Equal(410, error["object"]!["code"]!.GetValue<int>());
        Assert.Equal("Expired", error["object"]!["reason"]!.ToString());
    }
}
