using k8s.Models;
using Stevedore.Controllers.NodeIpam;

namespace Stevedore.Controllers.Tests.NodeIpam;

public class CidrAllocatorTests
{
    private static V1Node Node(string name, string? cidr = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1NodeSpec { PodCIDR = cidr, PodCIDRs = cidr is null ? null : [cidr] },
    };

    [Fact]
    public void AllocateNext_Fresh_SequentialSlash24s()
    {
        var allocator = new CidrAllocator();

        Assert.Equal(["10.42.0.0/24", "10.42.1.0/24", "10.42.2.0/24"], Enumerable.Range(0, 3).Select(_ => allocator.AllocateNext()));
        Assert.Equal(256, allocator.Capacity);
    }

    [Fact]
    public void Release_Block_ReusedFirst()
    {
        var allocator = new CidrAllocator();
        allocator.AllocateNext();
        allocator.AllocateNext();
        allocator.AllocateNext();

        Assert.True(allocator.Release("10.42.1.0/24"));
        Assert.False(allocator.Release("10.42.1.0/24"));
        Assert.Equal("10.42.1.0/24", allocator.AllocateNext());
    }

    [Fact]
    public void AllocateNext_Exhausted_Null()
    {
        var allocator = new CidrAllocator("10.0.0.0/30", 31);

        Assert.Equal("10.0.0.0/31", allocator.AllocateNext());
        Assert.Equal("10.0.0.2/31", allocator.AllocateNext());
        Assert.Null(allocator.AllocateNext());
    }

    [Theory]
    [InlineData("10.42.7.0/24", true)]
    [InlineData("10.43.0.0/24", false)]
    [InlineData("10.42.7.0/25", false)]
    [InlineData("10.42.7.5/24", false)]
    [InlineData("fd00::/64", false)]
    [InlineData("garbage", false)]
    public void Occupy_Cidr_OnlyBlocksOfClusterCidr(string cidr, bool expected) =>
        Assert.Equal(expected, new CidrAllocator().Occupy(cidr));

    [Fact]
    public void Rebuild_ExistingNodes_SkipsTheirBlocksAndAssignsMissing()
    {
        var nodes = new[] { Node("a", "10.42.0.0/24"), Node("b", "10.42.2.0/24"), Node("d"), Node("c") };

        var allocator = NodeIpamLogic.Rebuild(nodes);
        var assigned = NodeIpamLogic.AssignMissing(allocator, nodes);

        Assert.Equal([("c", "10.42.1.0/24"), ("d", "10.42.3.0/24")], assigned);
        Assert.Equal(4, allocator.Used);
    }

    [Fact]
    public void ReleaseNode_Deleted_FreesItsBlock()
    {
        var nodes = new[] { Node("a", "10.42.0.0/24") };
        var allocator = NodeIpamLogic.Rebuild(nodes);

        NodeIpamLogic.ReleaseNode(allocator, nodes[0]);

        Assert.Equal(0, allocator.Used);
    }
}
