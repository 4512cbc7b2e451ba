using System.Collections.Concurrent;
using k8s.Models;
using Stevedore.Client.Informers;
using Stevedore.Client.Resources;
using Stevedore.Client.Selectors;

namespace Stevedore.Client.Tests.Integration;

[Collection(ServerCollection.Name)]
public sealed class InformerTests(ServerFixture server)
{
    [Fact]
    public async Task SharedInformer_ListsThenSeesCreateUpdateDelete()
    {
        var ns = await server.CreateNamespaceAsync();
        var configMaps = new ResourceClient<V1ConfigMap>(server.Client);
        await configMaps.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "before", NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app"] = "x" } } });

        await using var factory = new SharedInformerFactory(server.Client, new SharedInformerFactoryOptions { Namespace = ns });
        var informer = factory.GetInformer<V1ConfigMap>();
        Assert.Same(informer, factory.GetInformer<V1ConfigMap>());
        var seen = new ConcurrentQueue<string>();
        informer.AddEventHandler(
            onAdd: cm => seen.Enqueue("add " + cm.Metadata.Name),
            onUpdate: (old, cm) => seen.Enqueue($"update {cm.Metadata.Name} {old.Data?["k"]}->{cm.Data?["k"]}"),
            onDelete: cm => seen.Enqueue("delete " + cm.Metadata.Name));
        factory.Start();
        Assert.True(await factory.WaitForCacheSyncAsync());
        Assert.NotNull(factory.GetLister<V1ConfigMap>().Get(ns, "before"));

        var created = await configMaps.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a", NamespaceProperty = ns }, Data = new Dictionary<string, string> { ["k"] = "1" } });
        created.Data["k"] = "2";
        await configMaps.ReplaceAsync(created);
        await configMaps.DeleteAsync(ns, "a");

        await Eventually.TrueAsync(() => seen.Contains("delete a"), "the delete event");
        Assert.Equal(["add before", "add a", "update a 1->2", "delete a"], seen);
        Assert.Null(informer.Lister.Get(ns, "a"));
        Assert.Single(informer.Lister.List(ns, LabelSelector.Parse("app=x")));
    }

    [Fact]
    public async Task Factory_FieldSelector_NarrowsTheWatch()
    {
        var ns = await server.CreateNamespaceAsync();
        var configMaps = new ResourceClient<V1ConfigMap>(server.Client);
        await using var factory = new SharedInformerFactory(server.Client, new SharedInformerFactoryOptions { Namespace = ns, FieldSelector = "metadata.name=wanted" });
        var informer = factory.GetInformer<V1ConfigMap>();
        factory.Start();
        Assert.True(await factory.WaitForCacheSyncAsync());

        await configMaps.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "other", NamespaceProperty = ns } });
        await configMaps.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "wanted", NamespaceProperty = ns } });

        await Eventually.TrueAsync(() => informer.Lister.Get(ns, "wanted") is not null, "the wanted object");
        Assert.Equal(["wanted"], informer.Lister.List().Select(c => c.Metadata.Name));
    }

    [Fact]
    public async Task AddEventHandler_AfterSync_ReplaysCachedObjectsAsAdds()
    {
        var ns = await server.CreateNamespaceAsync();
        await new ResourceClient<V1ConfigMap>(server.Client).CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x", NamespaceProperty = ns } });
        await using var factory = new SharedInformerFactory(server.Client, new SharedInformerFactoryOptions { Namespace = ns });
        var informer = factory.GetInformer<V1ConfigMap>();
        factory.Start();
        Assert.True(await factory.WaitForCacheSyncAsync());

        var added = new ConcurrentQueue<string>();
        using var registration = informer.AddEventHandler(onAdd: cm => added.Enqueue(cm.Metadata.Name));
        await Eventually.TrueAsync(() => !added.IsEmpty, "the replayed add");
        Assert.Equal(["x"], added);
    }
}
