using Stevedore.Kubelet.Node;

namespace Stevedore.Kubelet.Tests.Node;

public sealed class PreflightTests
{
    private static readonly HostFacts Good = new()
    {
        IsRoot = true,
        HasOverlayfs = true,
        RuncPath = "/usr/sbin/runc",
        CgroupFilesystem = "tmpfs",
        CgroupControllers = new HashSet<string> { "cpu", "cpuacct", "memory", "pids", "devices" },
    };

    [Fact]
    public void Check_GoodMachine_NoProblem() => Assert.Empty(Preflight.Check(Good));

    public static TheoryData<HostFacts, string, string> BadCases => new()
    {
        { Good with { IsRoot = false }, "not running as root", "sudo" },
        { Good with { HasOverlayfs = false }, "overlay filesystem", "modprobe overlay" },
        { Good with { RuncPath = null }, "runc was not found", "apt-get install runc" },
        { Good with { CgroupFilesystem = "" }, "not a cgroup hierarchy", "mount cgroup2" },
        { Good with { CgroupFilesystem = "cgroup2", CgroupControllers = new HashSet<string> { "cpu", "pids" } }, "memory not available (cgroup v2)", "cgroup.subtree_control" },
        { Good with { CgroupControllers = new HashSet<string> { "memory", "pids" } }, "cpu not available (cgroup v1)", "mount them" },
    };

    [Theory]
    [MemberData(nameof(BadCases))]
    public void Check_OneThingWrong_SaysWhatAndHowToFix(HostFacts facts, string what, string fix)
    {
        var problem = Assert.Single(Preflight.Check(facts));

        Assert.Contains(what, problem.What, StringComparison.Ordinal);
        Assert.Contains(fix, problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SeveralThingsWrong_ReportsEach() =>
        Assert.Equal(3, Preflight.Check(Good with { IsRoot = false, RuncPath = null, HasOverlayfs = false }).Count);
}
