using k8s;
using k8s.Models;

namespace Stevedore.Kubelet.NodeTests;

public abstract class NodeAndRestartTests(NodeFixture node)
{
    [NodeFact]
    public async Task Node_Registered_CapacityLabelsAddressesReadyAndLease()
    {
        var registered = await Eventually.GetAsync(() => node.Client.CoreV1.ReadNodeAsync(node.NodeName),
            n => n.Status?.Images is { Count: > 0 } && n.Status.Conditions?.Any(c => c.Type == "Ready") == true, "node status with images");

        var labels = registered.Metadata.Labels;
        Assert.Equal(node.NodeName, labels["kubernetes.io/hostname"]);
        Assert.Equal("linux", labels["kubernetes.io/os"]);
        Assert.Equal("amd64", labels["kubernetes.io/arch"]);
        Assert.True(labels.ContainsKey("node-role.kubernetes.io/control-plane"));
        var status = registered.Status;
        Assert.Equal(Environment.ProcessorCount, (int)status.Capacity["cpu"].ToDecimal());
        Assert.Equal(110, (int)status.Allocatable["pods"].ToDecimal());
        Assert.True(status.Capacity["memory"].ToDecimal() > 0);
        Assert.True(status.Capacity["ephemeral-storage"].ToDecimal() > 0);
        Assert.Contains(status.Addresses, a => a.Type == "InternalIP" && a.Address == node.NodeIp);
        Assert.Contains(status.Addresses, a => a.Type == "Hostname" && a.Address == node.NodeName);
        Assert.Equal("True", status.Conditions.Single(c => c.Type == "Ready").Status);
        foreach (var pressure in new[] { "MemoryPressure", "DiskPressure", "PIDPressure" })
        {
            Assert.Equal("False", status.Conditions.Single(c => c.Type == pressure).Status);
        }

        Assert.StartsWith(node.RuntimeName + "://", status.NodeInfo.ContainerRuntimeVersion, StringComparison.Ordinal);
        Assert.Equal(10250, status.DaemonEndpoints.KubeletEndpoint.Port);
        Assert.Contains(status.Images, i => i.Names.Contains("docker.io/library/busybox:1.36"));
        Assert.Contains(status.Images, i => i.Names.Contains("registry.k8s.io/pause:3.9"));

        var lease = await node.Client.CoordinationV1.ReadNamespacedLeaseAsync(node.NodeName, "kube-node-lease");
        Assert.Equal(node.NodeName, lease.Spec.HolderIdentity);
        Assert.Equal(40, lease.Spec.LeaseDurationSeconds);
        Assert.Equal(registered.Metadata.Uid, Assert.Single(lease.Metadata.OwnerReferences).Uid);
        var renewed = await Eventually.GetAsync(() => node.Client.CoordinationV1.ReadNamespacedLeaseAsync(node.NodeName, "kube-node-lease"),
            l => l.Spec.RenewTime > lease.Spec.RenewTime, "the lease renewed", seconds: 60);
        Assert.True(renewed.Spec.RenewTime > lease.Spec.RenewTime);
    }

    [NodeFact]
    public async Task AgentRestart_RunningPods_AreAdoptedAndNothingRestarts()
    {
        var ns = await node.CreateNamespaceAsync();
        var spec = Pods.Busybox(ns, "survivor", node.NodeName, "exec sleep 3600");
        spec.Spec.InitContainers = [Pods.Container("init", "exit 0")];
        var pod = await Pods.CreateAsync(node, spec);
        var before = await Pods.WaitAsync(node, pod, Pods.IsRunningAndReady, "Running");
        var containersBefore = (await Pods.RuntimeContainersAsync(node, pod.Metadata.Uid)).Select(c => c.Id).Order().ToList();
        var sandboxesBefore = (await Pods.RuntimeSandboxesAsync(node, pod.Metadata.Uid)).Select(s => s.Id).ToList();

        await node.StopAgentAsync();
        await node.StartAgentAsync();
        // Let the new agent sync the pod a few times (relists every second).
        await Task.Delay(TimeSpan.FromSeconds(5));

        var after = await Pods.ReadAsync(node, pod);
        Assert.True(Pods.IsRunningAndReady(after));
        Assert.Equal(containersBefore, (await Pods.RuntimeContainersAsync(node, pod.Metadata.Uid)).Select(c => c.Id).Order().ToList());
        Assert.Equal(sandboxesBefore, (await Pods.RuntimeSandboxesAsync(node, pod.Metadata.Uid)).Select(s => s.Id).ToList());
        Assert.Equal(Pods.Status(before, "main")!.ContainerID, Pods.Status(after, "main")!.ContainerID);
        Assert.Equal(0, Pods.Status(after, "main")!.RestartCount);
        Assert.Equal(0, Pods.Status(after, "init")!.RestartCount);

        await Pods.DeleteAsync(node, pod, grace: 1);
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);
    }

    [NodeFact]
    public async Task AgentRestart_PodDeletedWhileAway_IsRemoved()
    {
        var ns = await node.CreateNamespaceAsync();
        var pod = await Pods.CreateAsync(node, Pods.Busybox(ns, "forgotten", node.NodeName, "exec sleep 3600"));
        await Pods.WaitAsync(node, pod, Pods.IsRunningAndReady, "Running");

        await node.StopAgentAsync();
        await node.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, ns, gracePeriodSeconds: 0);
        await node.StartAgentAsync();

        await Eventually.TrueAsync(async () => (await Pods.RuntimeContainersAsync(node, pod.Metadata.Uid)).Count == 0 && (await Pods.RuntimeSandboxesAsync(node, pod.Metadata.Uid)).Count == 0,
            "the orphaned pod removed");
    }
}
