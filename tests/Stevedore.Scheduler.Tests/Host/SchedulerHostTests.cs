using k8s;
using k8s.Models;

namespace Stevedore.Scheduler.Tests.Host;

[Collection(SchedulerClusterCollection.Name)]
public sealed class SchedulerHostTests(SchedulerClusterFixture cluster)
{
    private IKubernetes Client => cluster.Client;

    [Fact]
    public async Task PendingPods_TwoReadyNodes_AreBoundToThem()
    {
        var ns = await cluster.CreateNamespaceAsync();
        for (var i = 0; i < 4; i++)
        {
            await Client.CoreV1.CreateNamespacedPodAsync(SchedulerClusterFixture.Pod("p" + i), ns);
        }

        var pods = await SchedulerClusterFixture.EventuallyAsync(
            async () => (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items is var items && items.All(p => p.Spec.NodeName is not null) ? items : null,
            "every pod bound");

        Assert.All(pods, p => Assert.Contains(p.Spec.NodeName, SchedulerClusterFixture.NodeNames));

        // Events are recorded in the background after each binding.
        var events = await SchedulerClusterFixture.EventuallyAsync(
            async () => (await Client.CoreV1.ListNamespacedEventAsync(ns)).Items is var items && items.Count(e => e.Reason == "Scheduled") >= pods.Count ? items : null,
            "a Scheduled event per pod");
        Assert.All(pods, p => Assert.Contains(events, e => e.Reason == "Scheduled" && e.InvolvedObject.Name == p.Metadata.Name && e.Message.EndsWith(" to " + p.Spec.NodeName, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Pod_UnmatchedNodeSelector_StaysPendingWithFailedSchedulingEventAndCondition()
    {
        var ns = await cluster.CreateNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(SchedulerClusterFixture.Pod("picky", new Dictionary<string, string> { ["disk"] = "ssd" }), ns);

        var failed = await SchedulerClusterFixture.EventuallyAsync(
            async () => (await Client.CoreV1.ListNamespacedEventAsync(ns)).Items.FirstOrDefault(e => e.Reason == "FailedScheduling"),
            "a FailedScheduling event");
        Assert.Equal("Warning", failed.Type);
        Assert.Equal("picky", failed.InvolvedObject.Name);
        Assert.StartsWith("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.", failed.Message, StringComparison.Ordinal);
        Assert.Equal("default-scheduler", failed.Source?.Component ?? failed.ReportingComponent);

        var condition = await SchedulerClusterFixture.EventuallyAsync(
            async () => (await Client.CoreV1.ReadNamespacedPodAsync("picky", ns)).Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled"),
            "the PodScheduled condition");
        Assert.Equal("False", condition.Status);
        Assert.Equal("Unschedulable", condition.Reason);
        Assert.Null((await Client.CoreV1.ReadNamespacedPodAsync("picky", ns)).Spec.NodeName);
    }

    [Fact]
    public async Task UnschedulablePod_NodeLabelledToMatch_IsBoundToThatNode()
    {
        var ns = await cluster.CreateNamespaceAsync();
        var label = "zone-" + Guid.NewGuid().ToString("N")[..6];
        await Client.CoreV1.CreateNamespacedPodAsync(SchedulerClusterFixture.Pod("waiting", new Dictionary<string, string> { ["test-zone"] = label }), ns);
        await SchedulerClusterFixture.EventuallyAsync(
            async () => (await Client.CoreV1.ListNamespacedEventAsync(ns)).Items.FirstOrDefault(e => e.Reason == "FailedScheduling"),
            "a FailedScheduling event");

        var patch = "{\"metadata\":{\"labels\":{\"test-zone\":\"" + label + "\"}}}";
        await Client.CoreV1.PatchNodeAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), "node-b");
        try
        {
            var pod = await SchedulerClusterFixture.EventuallyAsync(
                async () => (await Client.CoreV1.ReadNamespacedPodAsync("waiting", ns)) is { Spec.NodeName: not null } p ? p : null,
                "the pod bound after the label appeared");

            Assert.Equal("node-b", pod.Spec.NodeName);
        }
        finally
        {
            await Client.CoreV1.PatchNodeAsync(new V1Patch("""{"metadata":{"labels":{"test-zone":null}}}""", V1Patch.PatchType.MergePatch), "node-b");
        }
    }

    [Fact]
    public async Task ManyPods_MoreThanFit_BindingsRunConcurrentlyButNeverOvercommit()
    {
        // 1.5 CPU each: whatever other tests left on the two 4-CPU nodes (a few 100m pods),
        // exactly two fit per node. The bindings run in the background while the loop goes on,
        // so only the assumed pods in the snapshot keep the third one off each node.
        var ns = await cluster.CreateNamespaceAsync();
        var names = Enumerable.Range(0, 6).Select(i => "big" + i).ToList();
        try
        {
            await Task.WhenAll(names.Select(name => Client.CoreV1.CreateNamespacedPodAsync(BigPod(name), ns)));

            var pods = await SchedulerClusterFixture.EventuallyAsync(
                async () => (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items is var items
                    && items.Count(p => p.Spec.NodeName is not null) == 4
                    && items.Count(p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") == true) == 2 ? items : null,
                "four pods bound and two unschedulable");

            Assert.All(SchedulerClusterFixture.NodeNames, node => Assert.Equal(2, pods.Count(p => p.Spec.NodeName == node)));
            var scheduled = await SchedulerClusterFixture.EventuallyAsync(
                async () => (await Client.CoreV1.ListNamespacedEventAsync(ns)).Items.Where(e => e.Reason == "Scheduled").ToList() is { Count: >= 4 } events ? events : null,
                "a Scheduled event per bound pod");
            Assert.Equal(
                pods.Where(p => p.Spec.NodeName is not null).Select(p => p.Metadata.Name).Order(),
                scheduled.Select(e => e.InvolvedObject.Name).Order());
        }
        finally
        {
            // Free the capacity for the other tests of this collection.
            await Task.WhenAll(names.Select(name => Client.CoreV1.DeleteNamespacedPodAsync(name, ns, new V1DeleteOptions { GracePeriodSeconds = 0 })));
        }
    }

    private static V1Pod BigPod(string name)
    {
        var pod = SchedulerClusterFixture.Pod(name);
        pod.Spec.Containers[0].Resources.Requests["cpu"] = new ResourceQuantity("1500m");
        return pod;
    }
}
