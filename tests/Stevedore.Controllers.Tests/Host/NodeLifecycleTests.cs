using k8s;
using k8s.Models;

namespace Stevedore.Controllers.Tests.Host;

[Collection(LiveClusterCollection.Name)]
public sealed class NodeLifecycleTests(LiveClusterFixture cluster)
{
    private IKubernetes Client => cluster.Client;

    [Fact]
    public async Task SilentNode_AfterGracePeriod_TurnsUnknownTaintedAndEvictsIntolerantPods()
    {
        var name = "silent-" + Guid.NewGuid().ToString("N")[..8];
        var ns = await cluster.CreateNamespaceAsync();
        await Client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name },
            Status = new V1NodeStatus { Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", LastHeartbeatTime = DateTime.UtcNow }] },
        });
        try
        {
            // Tolerates unreachable only for 0 s, so it must go as soon as the taint appears.
            await Client.CoreV1.CreateNamespacedPodAsync(
                new V1Pod
                {
                    Metadata = new V1ObjectMeta { Name = "victim" },
                    Spec = new V1PodSpec
                    {
                        NodeName = name,
                        Containers = [new V1Container { Name = "c", Image = "busybox" }],
                        Tolerations =
                        [
                            new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 0 },
                            new V1Toleration { Key = "node.kubernetes.io/not-ready", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 0 },
                        ],
                    },
                },
                ns);

            var node = await LiveClusterFixture.EventuallyAsync(
                async () => (await Client.CoreV1.ReadNodeAsync(name)) is { Spec.Taints.Count: > 0 } n && n.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "Unknown") ? n : null,
                "the silent node to turn Unknown and tainted");

            Assert.Contains(node.Spec.Taints, t => t.Key == "node.kubernetes.io/unreachable" && t.Effect == "NoExecute");
            Assert.Contains(node.Spec.Taints, t => t.Key == "node.kubernetes.io/unreachable" && t.Effect == "NoSchedule");
            await LiveClusterFixture.EventuallyAsync(
                async () => (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items.FirstOrDefault() is { } p && p.Metadata.DeletionTimestamp is null ? null : "evicted",
                "the intolerant pod to be evicted");
        }
        finally
        {
            await Client.CoreV1.DeleteNodeAsync(name);
        }
    }
}
