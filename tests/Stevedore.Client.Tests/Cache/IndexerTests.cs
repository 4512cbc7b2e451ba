using k8s.Models;
using Stevedore.Client.Cache;
using Stevedore.Client.Selectors;
using Stevedore.Client.Tests.Support;

namespace Stevedore.Client.Tests.Cache;

public sealed class IndexerTests
{
    private static IEnumerable<string> ByTier(V1ConfigMap cm) =>
        cm.Metadata.Labels?.TryGetValue("tier", out var tier) == true ? [tier] : [];

    [Fact]
    public void ByIndex_Namespace_ReturnsOnlyThatNamespace()
    {
        var indexer = new Indexer<V1ConfigMap>();
        indexer.Upsert(Objects.ConfigMap("a", "one"));
        indexer.Upsert(Objects.ConfigMap("a", "two"));
        indexer.Upsert(Objects.ConfigMap("b", "one"));

        Assert.Equal(["a/one", "a/two"], indexer.ByIndex(Indexes.Namespace, "a").Select(ObjectKeys.For).Order());
        Assert.Single(indexer.ByIndex(Indexes.Namespace, "b"));
        Assert.Empty(indexer.ByIndex(Indexes.Namespace, "c"));
    }

    [Fact]
    public void Upsert_ChangedIndexValue_MovesObjectBetweenIndexValues()
    {
        var indexer = new Indexer<V1ConfigMap>(new Dictionary<string, IndexFunc<V1ConfigMap>> { ["tier"] = ByTier });
        indexer.Upsert(Objects.ConfigMap("a", "x", labels: new Dictionary<string, string> { ["tier"] = "fe" }));
        indexer.Upsert(Objects.ConfigMap("a", "x", "2", new Dictionary<string, string> { ["tier"] = "be" }));

        Assert.Empty(indexer.ByIndex("tier", "fe"));
        Assert.Equal(["a/x"], indexer.IndexKeys("tier", "be"));
        Assert.Equal(["be"], indexer.IndexValues("tier"));
    }

    [Fact]
    public void Delete_RemovesFromItemsAndIndexes()
    {
        var indexer = new Indexer<V1ConfigMap>();
        var cm = Objects.ConfigMap("a", "x");
        indexer.Upsert(cm);
        indexer.Delete(cm);

        Assert.Null(indexer.GetByKey("a/x"));
        Assert.Empty(indexer.IndexValues(Indexes.Namespace));
    }

    [Fact]
    public void AddIndexers_AfterObjects_IndexesExistingObjects()
    {
        var indexer = new Indexer<V1ConfigMap>();
        indexer.Upsert(Objects.ConfigMap("a", "x", labels: new Dictionary<string, string> { ["tier"] = "fe" }));
        indexer.AddIndexers(new Dictionary<string, IndexFunc<V1ConfigMap>> { ["tier"] = ByTier });

        Assert.Single(indexer.ByIndex("tier", "fe"));
        Assert.Throws<ArgumentException>(() => indexer.ByIndex("nope", "x"));
    }

    [Fact]
    public void Replace_DropsObjectsNotInTheNewList()
    {
        var indexer = new Indexer<V1ConfigMap>();
        indexer.Upsert(Objects.ConfigMap("a", "old"));
        indexer.Replace([Objects.ConfigMap("a", "new")]);

        Assert.Equal(["a/new"], indexer.ListKeys());
        Assert.Single(indexer.ByIndex(Indexes.Namespace, "a"));
    }

    [Fact]
    public void Lister_ListWithNamespaceAndSelector_Filters()
    {
        var indexer = new Indexer<V1ConfigMap>();
        indexer.Upsert(Objects.ConfigMap("a", "web", labels: new Dictionary<string, string> { ["app"] = "web" }));
        indexer.Upsert(Objects.ConfigMap("a", "db", labels: new Dictionary<string, string> { ["app"] = "db" }));
        indexer.Upsert(Objects.ConfigMap("b", "web", labels: new Dictionary<string, string> { ["app"] = "web" }));
        var lister = new Lister<V1ConfigMap>(indexer);

        Assert.Equal(2, lister.List(LabelSelector.Parse("app=web")).Count);
        Assert.Equal("a/web", ObjectKeys.For(Assert.Single(lister.List("a", LabelSelector.Parse("app=web")))));
        Assert.Equal(2, lister.List("a", null).Count);
        Assert.NotNull(lister.Get("b", "web"));
        Assert.Null(lister.Get("b", "db"));
    }
}
