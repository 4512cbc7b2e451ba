using k8s.Models;
using Stevedore.Cri.V1;
using Stevedore.Kubelet.Node;

namespace Stevedore.Kubelet.Tests.Node;

public sealed class NodeStatusBuilderTests
{
    private static readonly KubeletOptions Options = new() { NodeName = "n1", DataDir = "/x", ControlPlane = true, KubeletPort = 10250 };
    private static readonly DateTime Now = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static MachineSnapshot Machine(long memAvailable = 4L << 30, long diskAvailable = 50L << 30, long processes = 100) => new()
    {
        Cpus = 4,
        MemoryBytes = 8L << 30,
        MemoryAvailableBytes = memAvailable,
        StorageBytes = 100L << 30,
        StorageAvailableBytes = diskAvailable,
        ProcessCount = processes,
        PidMax = 1000,
        Architecture = "amd64",
    };

    [Fact]
    public void Status_HealthyMachine_CapacityConditionsAddresses()
    {
        var runtime = new RuntimeReport
        {
            Version = "stevedore://1.0.0",
            Images = [new V1ContainerImage { Names = ["small"], SizeBytes = 1 }, new V1ContainerImage { Names = ["big"], SizeBytes = 100 }],
        };

        var status = NodeStatusBuilder.Status(Options, Machine(), runtime, "192.0.2.10", Now, previous: null);

        Assert.Equal(4m, status.Capacity["cpu"].ToDecimal());
        Assert.Equal(8m * 1024 * 1024 * 1024, status.Capacity["memory"].ToDecimal());
        Assert.Equal(100m * 1024 * 1024 * 1024, status.Capacity["ephemeral-storage"].ToDecimal());
        Assert.Equal(110m, status.Allocatable["pods"].ToDecimal());
        Assert.Equal(["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"], status.Conditions.Select(c => c.Type));
        Assert.Equal(["False", "False", "False", "True"], status.Conditions.Select(c => c.Status));
        Assert.Equal("KubeletReady", status.Conditions[3].Reason);
        Assert.Equal([("InternalIP", "192.0.2.10"), ("Hostname", "n1")], status.Addresses.Select(a => (a.Type, a.Address)));
        Assert.Equal("stevedore://1.0.0", status.NodeInfo.ContainerRuntimeVersion);
        Assert.Equal(["big", "small"], status.Images.Select(i => i.Names[0]));
    }

    [Theory]
    [InlineData(50L << 20, 50L << 30, 100, "MemoryPressure")]
    [InlineData(4L << 30, 5L << 30, 100, "DiskPressure")]
    [InlineData(4L << 30, 50L << 30, 950, "PIDPressure")]
    public void Status_ShortOfSomething_ThatPressureIsTrue(long memAvailable, long diskAvailable, long processes, string condition)
    {
        var status = NodeStatusBuilder.Status(Options, Machine(memAvailable, diskAvailable, processes), new RuntimeReport(), "192.0.2.10", Now, null);

        Assert.Equal([condition], status.Conditions.Where(c => c.Status == "True" && c.Type != "Ready").Select(c => c.Type));
    }

    [Fact]
    public void Status_RuntimeNetworkNotReady_NodeNotReadyWithUpstreamMessage()
    {
        var runtimeStatus = new RuntimeStatus
        {
            Conditions =
            {
                new RuntimeCondition { Type = "RuntimeReady", Status = true },
                new RuntimeCondition { Type = "NetworkReady", Status = false, Reason = "NetworkPluginNotReady", Message = "cni config uninitialized" },
            },
        };
        var message = NodeAgent.NotReadyMessage(runtimeStatus);

        var status = NodeStatusBuilder.Status(Options, Machine(), new RuntimeReport { NotReadyMessage = message }, "192.0.2.10", Now, null);

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "KubeletNotReady"), (ready.Status, ready.Reason));
        Assert.Equal("container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni config uninitialized", ready.Message);
    }

    [Fact]
    public void Status_Previous_KeepsTransitionTimesMovesHeartbeats()
    {
        var first = NodeStatusBuilder.Status(Options, Machine(), new RuntimeReport(), "192.0.2.10", Now, null);

        var second = NodeStatusBuilder.Status(Options, Machine(), new RuntimeReport(), "192.0.2.10", Now.AddMinutes(1), first);

        Assert.All(second.Conditions, c => Assert.Equal(Now, c.LastTransitionTime));
        Assert.All(second.Conditions, c => Assert.Equal(Now.AddMinutes(1), c.LastHeartbeatTime));
        Assert.False(NodeStatusBuilder.DiffersIgnoringHeartbeats(first, second));
        Assert.True(NodeStatusBuilder.DiffersIgnoringHeartbeats(first, NodeStatusBuilder.Status(Options, Machine(memAvailable: 1), new RuntimeReport(), "192.0.2.10", Now, first)));
    }

    [Fact]
    public void Labels_ControlPlaneNode_HostnameOsArchAndRole()
    {
        var labels = NodeStatusBuilder.Labels(Options with { NodeLabels = new Dictionary<string, string> { ["zone"] = "a" } }, Machine());

        Assert.Equal("n1", labels["kubernetes.io/hostname"]);
        Assert.Equal("linux", labels["kubernetes.io/os"]);
        Assert.Equal("amd64", labels["kubernetes.io/arch"]);
        Assert.Equal("", labels["node-role.kubernetes.io/control-plane"]);
        Assert.Equal("a", labels["zone"]);
        Assert.False(NodeStatusBuilder.Labels(Options with { ControlPlane = false }, Machine()).ContainsKey("node-role.kubernetes.io/control-plane"));
    }

    [Fact]
    public void ParseMeminfo_Kilobytes_Bytes()
    {
        var info = MachineInfo.ParseMeminfo("MemTotal:       16384 kB\nMemAvailable:    8192 kB\nHugePages_Total:       0\n");

        Assert.Equal(16384L * 1024, info["MemTotal"]);
        Assert.Equal(8192L * 1024, info["MemAvailable"]);
        Assert.Equal(0, info["HugePages_Total"]);
    }

    [Fact]
    public void OsImage_OsRelease_PrettyName() =>
        Assert.Equal("Debian GNU/Linux 12 (bookworm)", MachineInfo.OsImage("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"));
}
