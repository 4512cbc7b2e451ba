using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Stevedore.Controllers.Tests.Host;

[Collection(LiveClusterCollection.Name)]
public sealed class GarbageCollectorTests(LiveClusterFixture cluster)
{
    private IKubernetes Client => cluster.Client;

    private async Task<(string Ns, V1ReplicaSet Rs)> ReplicaSetWithPodsAsync(int replicas)
    {
        var ns = await cluster.CreateNamespaceAsync();
        var labels = new Dictionary<string, string> { ["app"] = "gc" };
        var rs = await Client.AppsV1.CreateNamespacedReplicaSetAsync(
            new V1ReplicaSet
            {
                Metadata = new V1ObjectMeta { Name = "gc" },
                Spec = new V1ReplicaSetSpec
                {
                    Replicas = replicas,
                    Selector = new V1LabelSelector { MatchLabels = labels },
                    Template = new V1PodTemplateSpec
                    {
                        Metadata = new V1ObjectMeta { Labels = labels },
                        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
                    },
                },
            },
            ns);
        await LiveClusterFixture.EventuallyAsync(
            async () => (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items is { } items && items.Count == replicas ? items : null,
            $"{replicas} pods");
        return (ns, rs);
    }

    private async Task<bool> ExistsAsync(string ns)
    {
        try
        {
            await Client.AppsV1.ReadNamespacedReplicaSetAsync("gc", ns);
            return true;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    [Fact]
    public async Task OwnerDeleted_Background_DependentsDeleted()
    {
        var (ns, _) = await ReplicaSetWithPodsAsync(2);

        await Client.AppsV1.DeleteNamespacedReplicaSetAsync("gc", ns, new V1DeleteOptions { PropagationPolicy = "Background" });

        await LiveClusterFixture.EventuallyAsync(
            async () => (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items.Count == 0 ? "empty" : null,
            "the pods of the deleted ReplicaSet to be collected");
        Assert.False(await ExistsAsync(ns));
    }

    [Fact]
    public async Task OwnerDeleted_Orphan_DependentsKeptWithoutOwnerReference()
    {
        var (ns, rs) = await ReplicaSetWithPodsAsync(2);

        await Client.AppsV1.DeleteNamespacedReplicaSetAsync("gc", ns, new V1DeleteOptions { PropagationPolicy = "Orphan" });

        await LiveClusterFixture.EventuallyAsync(async () => await ExistsAsync(ns) ? null : "gone", "the ReplicaSet to be removed after orphaning");
        var pods = (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items;
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.DoesNotContain(p.Metadata.OwnerReferences ?? [], o => o.Uid == rs.Metadata.Uid));
    }

    [Fact]
    public async Task OwnerDeleted_Foreground_DependentsGoFirstThenOwner()
    {
        var (ns, _) = await ReplicaSetWithPodsAsync(2);

        await Client.AppsV1.DeleteNamespacedReplicaSetAsync("gc", ns, new V1DeleteOptions { PropagationPolicy = "Foreground" });

        await LiveClusterFixture.EventuallyAsync(async () => await ExistsAsync(ns) ? null : "gone", "the ReplicaSet to be removed after its pods");
        Assert.Empty((await Client.CoreV1.ListNamespacedPodAsync(ns)).Items);
    }
}
