using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet.Tests.Volumes;

public sealed class MountTableTests
{
    private const string Sample = """
        22 27 0:21 / /proc rw,relatime - proc proc rw
        36 35 98:0 /mnt1 /var/lib/k/pods/u1/volumes/kubernetes.io~secret/s rw,noatime master:1 - tmpfs tmpfs rw,size=100k
        37 35 98:0 / /var/lib/k/pods/u1/volumes/kubernetes.io~empty-dir/with\040space rw shared:2 - tmpfs tmpfs rw
        38 35 98:0 /x /var/lib/k/pods/u1/volume-subpaths/v/c/0 rw - ext4 /dev/sda1 rw
        39 35 98:0 / /var/lib/k/pods/u10/volumes/kubernetes.io~secret/s rw - tmpfs tmpfs rw
        """;

    [Fact]
    public void Parse_ReadsMountPointTypeAndSource_WithOptionalFieldsAndEscapes()
    {
        var entries = MountTable.Parse(Sample);

        Assert.Equal(5, entries.Count);
        Assert.Equal(new MountEntry("/proc", "proc", "proc"), entries[0]);
        Assert.Equal(new MountEntry("/var/lib/k/pods/u1/volumes/kubernetes.io~secret/s", "tmpfs", "tmpfs"), entries[1]);
        Assert.Equal("/var/lib/k/pods/u1/volumes/kubernetes.io~empty-dir/with space", entries[2].MountPoint);
        Assert.Equal(new MountEntry("/var/lib/k/pods/u1/volume-subpaths/v/c/0", "ext4", "/dev/sda1"), entries[3]);
    }

    [Fact]
    public void MountPointsUnder_OnlyThatPodsDirectory_DeepestFirst()
    {
        var points = MountTable.MountPointsUnder(MountTable.Parse(Sample), "/var/lib/k/pods/u1");

        Assert.Equal(3, points.Count);
        Assert.DoesNotContain("/var/lib/k/pods/u10/volumes/kubernetes.io~secret/s", points);
        Assert.Equal("/var/lib/k/pods/u1/volume-subpaths/v/c/0", points[0]);
    }

    [Fact]
    public void Parse_IgnoresMalformedLines()
    {
        Assert.Empty(MountTable.Parse("garbage\n1 2 3\n"));
    }
}
