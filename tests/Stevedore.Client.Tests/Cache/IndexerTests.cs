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
    public void TryAddIndexer_SecondCallerForTheSameIndex_KeepsTheFirstAndSaysSo()
    {
        var indexer = new Indexer<V1ConfigMap>();
        indexer.Upsert(Objects.ConfigMap("a", "x", labels: new Dictionary<string, string> { ["tier"] = "fe" }));

        Assert.True(indexer.TryAddIndexer("tier", ByTier));
        Assert.False(indexer.TryAddIndexer("tier", _ => ["other"]));

        Assert.Equal(["a/x"], indexer.IndexKeys("tier", "fe"));
        Assert.Empty(indexer.IndexKeys("tier", "other"));
    }

    [Fact]
    public void PodNodeNameIndex_PodBoundThenDeleted_FollowsSpecNodeName()
    {
        var indexer = new Indexer<V1Pod>();
        indexer.TryAddIndexer(Indexes.PodNodeName, Indexes.ByPodNodeName);
        var pending = new V1Pod { Metadata = new V1ObjectMeta { NamespaceProperty = "a", Name = "p", ResourceVersion = "1" }, Spec = new V1PodSpec() };
        var bound = new V1Pod { Metadata = new V1ObjectMeta { NamespaceProperty = "a", Name = "p", ResourceVersion = "2" }, Spec = new V1PodSpec { NodeName = "n1" } };

        indexer.Upsert(pending);
        Assert.Empty(indexer.IndexValues(Indexes.PodNodeName));
        indexer.Upsert(bound);
        Assert.Equal(["a/p"], indexer.IndexKeys(Indexes.PodNodeName, "n1"));
        indexer.Delete(bound);
        Assert.Empty(indexer.IndexKeys(Indexes.PodNodeName, "n1"));
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
