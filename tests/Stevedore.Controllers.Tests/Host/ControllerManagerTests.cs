using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Stevedore.Controllers.Tests.Host;

[Collection(LiveClusterCollection.Name)]
public sealed class ControllerManagerTests(LiveClusterFixture cluster)
{
    private IKubernetes Client => cluster.Client;

    [Fact]
    public async Task Deployment_OfThreeReplicas_CreatesReplicaSetWithThreeOwnedPods()
    {
        var ns = await cluster.CreateNamespaceAsync();
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        var deployment = await Client.AppsV1.CreateNamespacedDeploymentAsync(
            new V1Deployment
            {
                Metadata = new V1ObjectMeta { Name = "web" },
                Spec = new V1DeploymentSpec
                {
                    Replicas = 3,
                    Selector = new V1LabelSelector { MatchLabels = labels },
                    Template = new V1PodTemplateSpec
                    {
                        Metadata = new V1ObjectMeta { Labels = labels },
                        Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
                    },
                },
            },
            ns);

        var rs = await LiveClusterFixture.EventuallyAsync(
            async () => (await Client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items.SingleOrDefault(r => r.Status?.Replicas == 3),
            "a ReplicaSet reporting 3 replicas");
        Assert.Equal(deployment.Metadata.Uid, Assert.Single(rs.Metadata.OwnerReferences).Uid);
        Assert.Equal("1", rs.Metadata.Annotations["deployment.kubernetes.io/revision"]);

        var pods = (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items;
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal(rs.Metadata.Uid, Assert.Single(p.Metadata.OwnerReferences).Uid));
        Assert.All(pods, p => Assert.Equal(rs.Metadata.Labels["pod-template-hash"], p.Metadata.Labels["pod-template-hash"]));

        var status = await LiveClusterFixture.EventuallyAsync(
            async () => (await Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)) is { Status.Replicas: 3 } d ? d.Status : null,
            "the Deployment status to count 3 replicas");
        Assert.Equal(3, status.UpdatedReplicas);
        Assert.True(status.ReadyReplicas is null or 0, "no pod runs, so none is ready");
    }

    [Fact]
    public async Task ReplicaSet_PodDeleted_IsReplaced()
    {
        var ns = await cluster.CreateNamespaceAsync();
        var labels = new Dictionary<string, string> { ["app"] = "rs" };
        await Client.AppsV1.CreateNamespacedReplicaSetAsync(
            new V1ReplicaSet
            {
                Metadata = new V1ObjectMeta { Name = "rs" },
                Spec = new V1ReplicaSetSpec
                {
                    Replicas = 2,
                    Selector = new V1LabelSelector { MatchLabels = labels },
                    Template = new V1PodTemplateSpec
                    {
                        Metadata = new V1ObjectMeta { Labels = labels },
                        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
                    },
                },
            },
            ns);
        var first = await LiveClusterFixture.EventuallyAsync(
            async () => (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items is { Count: 2 } items ? items : null,
            "2 pods");

        var victim = first[0].Metadata.Name;
        await Client.CoreV1.DeleteNamespacedPodAsync(victim, ns, new V1DeleteOptions { GracePeriodSeconds = 0 });

        var after = await LiveClusterFixture.EventuallyAsync(
            async () => (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items is { Count: 2 } items && items.All(p => p.Metadata.Name != victim) ? items : null,
            "a replacement pod");
        Assert.Contains(after, p => p.Metadata.Name == first[1].Metadata.Name);

        // As upstream's replicaset-controller: one "Created pod: NAME" event per pod it made.
        var created = await LiveClusterFixture.EventuallyAsync(
            async () => (await Client.CoreV1.ListNamespacedEventAsync(ns)).Items.Where(e => e.Reason == "SuccessfulCreate").ToList() is { Count: 3 } items ? items : null,
            "3 SuccessfulCreate events");
        Assert.All(created, e => Assert.Equal(("ReplicaSet", "rs", "Normal", "replicaset-controller"), (e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Type, e.Source.Component)));
        Assert.Equal(first.Concat(after).Select(p => "Created pod: " + p.Metadata.Name).Distinct().Order(), created.Select(e => e.Message).Order());
    }

    [Fact]
    public async Task Namespace_DeletedWithPodHeldByFinalizer_StaysTerminatingWithConditionsUntilReleased()
    {
        var ns = await cluster.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" } }, ns);
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "held", Finalizers = ["example.com/hold"] },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
        }, ns);

        await Client.CoreV1.DeleteNamespaceAsync(ns);

        // The controller writes its conditions while the pod is held; the namespace must survive those writes.
        var terminating = await LiveClusterFixture.EventuallyAsync(
            async () => (await Client.CoreV1.ReadNamespaceAsync(ns)) is { Status.Conditions: { } conditions } n
                && conditions.Any(c => c is { Type: "NamespaceFinalizersRemaining", Status: "True" }) ? n : null,
            "the NamespaceFinalizersRemaining condition");
        Assert.Equal("Terminating", terminating.Status.Phase);
        Assert.Equal(["kubernetes"], terminating.Spec.Finalizers);
        Assert.Equal("Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances",
            terminating.Status.Conditions.Single(c => c.Type == "NamespaceFinalizersRemaining").Message);
        Assert.Empty((await Client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal("Terminating", (await Client.CoreV1.ReadNamespaceAsync(ns)).Status.Phase);

        await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""[{"op":"remove","path":"/metadata/finalizers"}]""", V1Patch.PatchType.JsonPatch), "held", ns);

        await LiveClusterFixture.EventuallyAsync(
            async () =>
            {
                try
                {
                    await Client.CoreV1.ReadNamespaceAsync(ns);
                    return null;
                }
                catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
                {
                    return ex;
                }
            },
            "the namespace to disappear once the pod is released");
    }

    [Fact]
    public async Task Namespace_Created_GetsDefaultServiceAccount()
    {
        var ns = await cluster.CreateNamespaceAsync();

        var sa = await LiveClusterFixture.EventuallyAsync(
            async () => (await Client.CoreV1.ListNamespacedServiceAccountAsync(ns)).Items.FirstOrDefault(),
            "a ServiceAccount in the new namespace");

        Assert.Equal("default", sa.Metadata.Name);
    }

    [Fact]
    public async Task Namespace_Deleted_IsEmptiedThenRemoved()
    {
        var ns = await cluster.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" }, Data = new Dictionary<string, string> { ["a"] = "b" } }, ns);
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "p" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] } }, ns);

        await Client.CoreV1.DeleteNamespaceAsync(ns);

        await LiveClusterFixture.EventuallyAsync(
            async () =>
            {
                try
                {
                    await Client.CoreV1.ReadNamespaceAsync(ns);
                    return null;
                }
                catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
                {
                    return ex;
                }
            },
            "the namespace to disappear");
        var leftovers = (await Client.CoreV1.ListConfigMapForAllNamespacesAsync()).Items.Where(c => c.Metadata.NamespaceProperty == ns)
            .Concat<IKubernetesObject<V1ObjectMeta>>((await Client.CoreV1.ListPodForAllNamespacesAsync()).Items.Where(p => p.Metadata.NamespaceProperty == ns));
        Assert.Empty(leftovers);
    }

    [Fact]
    public async Task Node_Created_GetsPodCidrFromClusterRange()
    {
        var name = "ipam-" + Guid.NewGuid().ToString("N")[..8];
        await Client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name } });
        try
        {
            var node = await LiveClusterFixture.EventuallyAsync(
                async () => (await Client.CoreV1.ReadNodeAsync(name)) is { Spec.PodCIDR: not null } n ? n : null,
                "a pod CIDR on the node");

            Assert.StartsWith("10.42.", node.Spec.PodCIDR, StringComparison.Ordinal);
            Assert.EndsWith("/24", node.Spec.PodCIDR, StringComparison.Ordinal);
            Assert.Equal([node.Spec.PodCIDR], node.Spec.PodCIDRs);
        }
        finally
        {
            await Client.CoreV1.DeleteNodeAsync(name);
        }
    }
}
