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

    [Fact]
    public async Task HealthyNode_UserNoExecuteTaint_EvictsOnlyIntolerantPods()
    {
        var name = "tainted-" + Guid.NewGuid().ToString("N")[..8];
        var ns = await cluster.CreateNamespaceAsync();
        await Client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1NodeSpec { Taints = [new V1Taint { Key = "dedicated", Value = "batch", Effect = "NoExecute" }] },
            Status = new V1NodeStatus { Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", LastHeartbeatTime = DateTime.UtcNow }] },
        });
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(name, stopHeartbeat.Token);
        try
        {
            await Client.CoreV1.CreateNamespacedPodAsync(PodOn(name, "intolerant", []), ns);
            await Client.CoreV1.CreateNamespacedPodAsync(PodOn(name, "tolerant", [new V1Toleration { Key = "dedicated", OperatorProperty = "Exists", Effect = "NoExecute" }]), ns);

            await LiveClusterFixture.EventuallyAsync(
                async () => (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items.Any(p => p.Metadata.Name == "intolerant" && p.Metadata.DeletionTimestamp is null) ? null : "evicted",
                "the intolerant pod to be evicted");

            var tolerant = await Client.CoreV1.ReadNamespacedPodAsync("tolerant", ns);
            Assert.Null(tolerant.Metadata.DeletionTimestamp);
            var node = await Client.CoreV1.ReadNodeAsync(name);
            Assert.Contains(node.Status.Conditions, c => c.Type == "Ready" && c.Status == "True");
        }
        finally
        {
            await stopHeartbeat.CancelAsync();
            await heartbeat;
            await Client.CoreV1.DeleteNodeAsync(name);
        }
    }

    private static V1Pod PodOn(string node, string name, List<V1Toleration> tolerations) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Image = "busybox" }], Tolerations = tolerations },
    };

    /// <summary>Renews the node's Lease like a kubelet, so the node stays healthy for the whole test.</summary>
    private async Task HeartbeatAsync(string node, CancellationToken cancellationToken)
    {
        var lease = await Client.CoordinationV1.CreateNamespacedLeaseAsync(
            new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = node, NamespaceProperty = "kube-node-lease" },
                Spec = new V1LeaseSpec { HolderIdentity = node, LeaseDurationSeconds = 40, RenewTime = DateTime.UtcNow },
            },
            "kube-node-lease",
            cancellationToken: CancellationToken.None);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
                lease.Spec.RenewTime = DateTime.UtcNow;
                lease = await Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, node, "kube-node-lease", cancellationToken: cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await Client.CoordinationV1.DeleteNamespacedLeaseAsync(node, "kube-node-lease");
        }
    }
}
