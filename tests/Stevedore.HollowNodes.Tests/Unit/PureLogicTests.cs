namespace Stevedore.HollowNodes.Tests.Unit;

public sealed class CrashLoopBackoffTests
{
    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(3, 40)]
    [InlineData(5, 160)]
    [InlineData(6, 300)]
    [InlineData(100, 300)]
    public void Delay_RestartCount_DoublesFromTenSecondsCappedAtFiveMinutes(int restartCount, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), CrashLoopBackoff.Delay(restartCount, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)));
}

public sealed class NodeAddressingTests
{
    [Theory]
    [InlineData(0, "127.1.0.1")]
    [InlineData(253, "127.1.0.254")]
    [InlineData(254, "127.1.1.1")]
    [InlineData(4999, "127.1.19.174")]
    public void InternalIp_Index_LoopbackAddress(int index, string expected) => Assert.Equal(expected, NodeAddressing.InternalIp(index));

    [Theory]
    [InlineData(0, "10.244.0.0/24")]
    [InlineData(255, "10.244.255.0/24")]
    [InlineData(256, "10.243.0.0/24")]
    [InlineData(4999, "10.225.135.0/24")]
    public void FallbackPodCidr_Index_PerNodeSlash24(int index, string expected) => Assert.Equal(expected, NodeAddressing.FallbackPodCidr(index));

    [Theory]
    [InlineData(-1)]
    [InlineData(NodeAddressing.MaxIndex + 1)]
    public void InternalIp_OutOfRange_Throws(int index) => Assert.Throws<ArgumentOutOfRangeException>(() => NodeAddressing.InternalIp(index));
}

public sealed class PodIpAllocatorTests
{
    [Fact]
    public void Allocate_Fresh_SkipsNetworkAndGatewayAndIsStablePerOwner()
    {
        var allocator = new PodIpAllocator("10.244.3.0/24");

        Assert.Equal("10.244.3.2", allocator.Allocate("a"));
        Assert.Equal("10.244.3.3", allocator.Allocate("b"));
        Assert.Equal("10.244.3.2", allocator.Allocate("a"));
        Assert.Equal(2, allocator.Count);
    }

    [Fact]
    public void Release_ThenAllocate_ReusesLowestFree()
    {
        var allocator = new PodIpAllocator("10.244.3.0/24");
        allocator.Allocate("a");
        allocator.Allocate("b");

        allocator.Release("a");

        Assert.Equal("10.244.3.2", allocator.Allocate("c"));
    }

    [Fact]
    public void Allocate_RangeFull_Null()
    {
        var allocator = new PodIpAllocator("10.0.0.0/30");   // .0 network, .1 gateway, .2 usable, .3 broadcast

        Assert.Equal("10.0.0.2", allocator.Allocate("a"));
        Assert.Null(allocator.Allocate("b"));
    }

    [Fact]
    public void Reserve_TakenOrOutside_FalseAndNotReused()
    {
        var allocator = new PodIpAllocator("10.244.3.0/24");

        Assert.True(allocator.Reserve("a", "10.244.3.2"));
        Assert.False(allocator.Reserve("b", "10.244.3.2"));
        Assert.False(allocator.Reserve("c", "10.9.9.9"));
        Assert.Equal("10.244.3.3", allocator.Allocate("d"));
    }

    [Theory]
    [InlineData("10.244.3.0/24", "10.244.3.77", true)]
    [InlineData("10.244.3.0/24", "10.244.4.1", false)]
    [InlineData("10.244.0.0/16", "10.244.200.1", true)]
    [InlineData("10.244.0.0/16", "fe80::1", false)]
    public void Contains_CidrAndIp_Membership(string cidr, string ip, bool expected) => Assert.Equal(expected, PodIpAllocator.Contains(cidr, ip));

    [Theory]
    [InlineData("10.244.3.0")]
    [InlineData("10.244.3.0/33")]
    [InlineData("fd00::/64")]
    public void New_NotIpv4Cidr_Throws(string cidr) => Assert.Throws<FormatException>(() => new PodIpAllocator(cidr));
}

public sealed class PodScriptTests
{
    [Theory]
    [InlineData(null, null, null, 0)]
    [InlineData("0", null, 0, 0)]
    [InlineData("3", "2.5", 3, 2.5)]
    [InlineData("-1", "x", -1, 0)]
    [InlineData("abc", "5", null, 0)]
    public void From_Annotations_Parsed(string? exitCode, string? runSeconds, int? expectedCode, double expectedSeconds)
    {
        var script = PodScript.From(Pods.New(exitCode: exitCode, runSeconds: runSeconds));

        Assert.Equal(expectedCode, script.ExitCode);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), script.RunFor);
    }
}

public sealed class NodeBuilderTests
{
    [Fact]
    public void Build_Index_LabelsCapacityReadyAndNodeInfo()
    {
        var options = new HollowNodeOptions { NamePrefix = "h-", Cpu = "8", Memory = "32Gi", Pods = 50 };

        var node = NodeBuilder.Build(options, 3, Pods.T0);

        Assert.Equal("h-3", node.Metadata.Name);
        Assert.Equal("h-3", node.Metadata.Labels["kubernetes.io/hostname"]);
        Assert.Equal("true", node.Metadata.Labels["node.stevedore.io/hollow"]);
        Assert.Equal("8", node.Status.Capacity["cpu"].ToString());
        Assert.Equal("32Gi", node.Status.Allocatable["memory"].ToString());
        Assert.Equal("50", node.Status.Capacity["pods"].ToString());
        var ready = Assert.Single(node.Status.Conditions, c => c.Type == "Ready");
        Assert.Equal(("True", "KubeletReady"), (ready.Status, ready.Reason));
        Assert.All(node.Status.Conditions.Where(c => c.Type != "Ready"), c => Assert.Equal("False", c.Status));
        Assert.Equal("v1.33.0", node.Status.NodeInfo.KubeletVersion);
        Assert.Equal("127.1.0.4", Assert.Single(node.Status.Addresses, a => a.Type == "InternalIP").Address);
    }

    [Fact]
    public void Status_Heartbeat_MovesHeartbeatKeepsTransition()
    {
        var options = new HollowNodeOptions();
        var first = NodeBuilder.Status(options, 0, Pods.T0, null);

        var later = NodeBuilder.Status(options, 0, Pods.T0.AddMinutes(1), first);

        var ready = Assert.Single(later.Conditions, c => c.Type == "Ready");
        Assert.Equal(Pods.T0.AddMinutes(1), ready.LastHeartbeatTime);
        Assert.Equal(Pods.T0, ready.LastTransitionTime);
    }
}
