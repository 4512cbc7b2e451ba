using k8s;
using k8s.Models;
using Stevedore.Controllers.RootCaPublisher;

namespace Stevedore.Controllers.Tests.Host;

[Collection(LiveClusterCollection.Name)]
public sealed class RootCaPublisherTests(LiveClusterFixture cluster)
{
    private IKubernetes Client => cluster.Client;

    private async Task<V1ConfigMap> PublishedAsync(string ns, Func<V1ConfigMap, bool> condition, string what) =>
        await LiveClusterFixture.EventuallyAsync(async () =>
        {
            var list = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: "metadata.name=kube-root-ca.crt");
            return list.Items.SingleOrDefault(condition);
        }, what);

    [Fact]
    public async Task NewNamespace_GetsTheCa_AndEditsOrDeletionAreUndone()
    {
        var ns = await cluster.CreateNamespaceAsync();

        var published = await PublishedAsync(ns, _ => true, "kube-root-ca.crt in a new namespace");
        Assert.Equal(LiveClusterFixture.CaPem, published.Data["ca.crt"]);
        Assert.Equal(RootCaPublisherLogic.Description, published.Metadata.Annotations["kubernetes.io/description"]);

        published.Data["ca.crt"] = "tampered";
        published.Data["extra"] = "x";
        await Client.CoreV1.ReplaceNamespacedConfigMapAsync(published, RootCaPublisherLogic.ConfigMapName, ns);
        var restored = await PublishedAsync(ns, c => c.Data.Count == 1 && c.Data["ca.crt"] == LiveClusterFixture.CaPem, "the CA restored after an edit");
        Assert.NotEqual(published.Metadata.ResourceVersion, restored.Metadata.ResourceVersion);

        await Client.CoreV1.DeleteNamespacedConfigMapAsync(RootCaPublisherLogic.ConfigMapName, ns);
        var recreated = await PublishedAsync(ns, c => c.Metadata.Uid != restored.Metadata.Uid, "kube-root-ca.crt recreated after deletion");
        Assert.Equal(LiveClusterFixture.CaPem, recreated.Data["ca.crt"]);
    }
}
