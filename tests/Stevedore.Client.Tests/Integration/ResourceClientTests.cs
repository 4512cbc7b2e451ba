using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Stevedore.Client.Resources;

namespace Stevedore.Client.Tests.Integration;

[Collection(ServerCollection.Name)]
public sealed class ResourceClientTests(ServerFixture server)
{
    [Fact]
    public async Task Crud_CoreKind_RoundTripsThroughTheServer()
    {
        var ns = await server.CreateNamespaceAsync();
        var client = new ResourceClient<V1ConfigMap>(server.Client);
        var created = await client.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a", NamespaceProperty = ns }, Data = new Dictionary<string, string> { ["k"] = "1" } });
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));

        created.Data["k"] = "2";
        var replaced = await client.ReplaceAsync(created);
        Assert.Equal("2", (await client.GetAsync(ns, "a"))!.Data["k"]);

        // A stale resourceVersion is a conflict.
        var stale = await Assert.ThrowsAnyAsync<Exception>(() => client.ReplaceAsync(created));
        Assert.True(ApiErrors.IsConflict(stale));

        await client.PatchAsync(ns, "a", new V1Patch("""{"data":{"k":"3"}}""", V1Patch.PatchType.MergePatch));
        var list = await client.ListAsync(ns);
        Assert.Equal("3", Assert.Single(list.Items).Data["k"]);
        Assert.False(string.IsNullOrEmpty(list.ResourceVersion));

        Assert.True(await client.DeleteAsync(ns, "a"));
        Assert.False(await client.DeleteAsync(ns, "a"));
        Assert.Null(await client.GetAsync(ns, "a"));
        Assert.NotEqual(replaced.Metadata.ResourceVersion, created.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task ListAll_WithPageSize_FollowsContinueTokens()
    {
        var ns = await server.CreateNamespaceAsync();
        var client = new ResourceClient<V1Secret>(server.Client);
        for (var i = 0; i < 5; i++)
        {
            await client.CreateAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" + i, NamespaceProperty = ns } });
        }

        var first = await client.ListAsync(ns, new ListOptions { Limit = 2 });
        Assert.Equal(2, first.Items.Count);
        Assert.NotNull(first.Continue);
        Assert.Equal(5, (await client.ListAllAsync(ns, new ListOptions { Limit = 2 })).Items.Count);
    }

    [Fact]
    public async Task Unstructured_GroupedKind_WorksWithoutAModelClass()
    {
        var ns = await server.CreateNamespaceAsync();
        var type = new ResourceType("apps", "v1", "deployments", "Deployment");
        var client = new ResourceClient<Unstructured>(server.Client, type);
        var deployment = new Unstructured { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = ns } };
        deployment["spec"] = JsonNode.Parse("""
            {"replicas":2,"selector":{"matchLabels":{"app":"web"}},
             "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}
            """);

        var created = await client.CreateAsync(deployment);
        Assert.Equal("apps/v1", created.ApiVersion);
        Assert.Equal(2, created["spec"]!["replicas"]!.GetValue<int>());
        var typed = await new ResourceClient<V1Deployment>(server.Client).GetAsync(ns, "web");
        Assert.Equal(2, typed!.Spec.Replicas);
    }

    [Fact]
    public async Task Watch_FromListVersion_SeesLaterChangesAndBookmarksParse()
    {
        var ns = await server.CreateNamespaceAsync();
        var client = new ResourceClient<V1ConfigMap>(server.Client);
        var list = await client.ListAsync(ns);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<WatchEvent<V1ConfigMap>>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in client.WatchAsync(ns, new ListOptions { ResourceVersion = list.ResourceVersion, AllowWatchBookmarks = true }, cts.Token))
            {
                events.Add(e);
                if (e.Type == WatchEventType.Deleted)
                {
                    return;
                }
            }
        });

        var cm = await client.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "w", NamespaceProperty = ns } });
        await client.DeleteAsync(ns, "w");
        await watching;

        Assert.Equal([WatchEventType.Added, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal(cm.Metadata.Uid, events[0].Object!.Metadata.Uid);
    }
}
