using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Images;

namespace Stevedore.Runtime.Tests;

public sealed class RuntimeSpecBuilderTests
{
    private static readonly ContainerDefaults Image = new() { Entrypoint = ["/entry"], Cmd = ["default"], Env = ["PATH=/img", "A=1"] };

    [Theory]
    [InlineData(null, new string[0], "/entry default")]
    [InlineData(null, new[] { "x", "y" }, "/entry x y")]
    [InlineData(new string[0], new[] { "sh" }, "sh")]
    [InlineData(new[] { "/other" }, new string[0], "/other")]
    public void ResolveArgs_EntrypointAndCmd_FollowDockerRules(string[]? entrypoint, string[] command, string expected)
    {
        var options = new ContainerOptions { Entrypoint = entrypoint, Command = command };
        Assert.Equal(expected, string.Join(' ', RuntimeSpecBuilder.ResolveArgs(options, Image)));
    }

    [Fact]
    public void ResolveArgs_NothingToRun_Throws()
    {
        Assert.Throws<EngineException>(() => RuntimeSpecBuilder.ResolveArgs(new ContainerOptions(), new ContainerDefaults()));
    }

    [Fact]
    public void ResolveEnv_CallerOverridesImage_HostnameAndPathSet()
    {
        var env = RuntimeSpecBuilder.ResolveEnv(new ContainerOptions { Env = ["A=2", "B=3"], Tty = true }, Image, "box");

        Assert.Equal(["PATH=/img", "HOSTNAME=box", "A=2", "TERM=xterm", "B=3"], env);
    }

    [Fact]
    public void ResolveCapabilities_AddAndDrop_Applied()
    {
        var caps = RuntimeSpecBuilder.ResolveCapabilities(["NET_ADMIN", "cap_sys_time"], ["MKNOD", "CAP_NET_RAW"]);

        Assert.Contains("CAP_NET_ADMIN", caps);
        Assert.Contains("CAP_SYS_TIME", caps);
        Assert.DoesNotContain("CAP_MKNOD", caps);
        Assert.DoesNotContain("CAP_NET_RAW", caps);
        Assert.Contains("CAP_CHOWN", caps);
        Assert.Equal(["CAP_KILL"], RuntimeSpecBuilder.ResolveCapabilities(["KILL"], ["ALL"]));
    }

    [Fact]
    public void ResolveRlimits_Default_NofileWithinHostLimit()
    {
        var limits = RuntimeSpecBuilder.ResolveRlimits([], new Dictionary<string, ulong> { ["RLIMIT_NOFILE"] = 20000 });

        Assert.Equal([("RLIMIT_NOFILE", 1024ul, 1024ul)], limits);
    }

    [Fact]
    public void ResolveRlimits_DefaultAboveHostHard_ClampedToHost()
    {
        var limits = RuntimeSpecBuilder.ResolveRlimits([], new Dictionary<string, ulong> { ["RLIMIT_NOFILE"] = 512 });

        Assert.Equal([("RLIMIT_NOFILE", 512ul, 512ul)], limits);
    }

    [Theory]
    [InlineData("nofile=30000:30000", "above the engine's own hard limit")]
    [InlineData("nofile=2000:1000", "soft limit")]
    [InlineData("nofile", "expected name=soft[:hard]")]
    [InlineData("nproc=x", "expected name=soft[:hard]")]
    public void ResolveRlimits_Invalid_ThrowsWithReason(string ulimit, string reason)
    {
        var ex = Assert.Throws<EngineException>(() => RuntimeSpecBuilder.ResolveRlimits([ulimit], new Dictionary<string, ulong> { ["RLIMIT_NOFILE"] = 20000 }));
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void Build_Limits_SetCgroupResourcesAndNamespaces()
    {
        var options = new ContainerOptions { MemoryBytes = 32 << 20, Cpus = 1.5, PidsLimit = 10, CpuShares = 512 };
        var inputs = new RuntimeSpecBuilder.Inputs("id", "host", ["sh"], ["A=1"], "/", 0, 0, [], "/stevedore/id",
            new Dictionary<string, string?> { ["network"] = "/proc/9/ns/net", ["ipc"] = null }, new Dictionary<string, ulong>());

        var spec = RuntimeSpecBuilder.Build(options, inputs);

        var resources = spec["linux"]!["resources"]!;
        Assert.Equal(32L << 20, resources["memory"]!["limit"]!.GetValue<long>());
        Assert.Equal(32L << 20, resources["memory"]!["swap"]!.GetValue<long>());
        Assert.Equal(150000, resources["cpu"]!["quota"]!.GetValue<long>());
        Assert.Equal(100000, resources["cpu"]!["period"]!.GetValue<int>());
        Assert.Equal(512, resources["cpu"]!["shares"]!.GetValue<long>());
        Assert.Equal(10, resources["pids"]!["limit"]!.GetValue<long>());
        var namespaces = spec["linux"]!["namespaces"]!.AsArray().Select(n => n!["type"]!.GetValue<string>() + "=" + (n["path"]?.GetValue<string>() ?? "")).ToList();
        Assert.Equal(["pid=", "network=/proc/9/ns/net", "uts=", "mount="], namespaces);
        Assert.Equal("/stevedore/id", spec["linux"]!["cgroupsPath"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/run/podns/uts-1", "uts=/run/podns/uts-1", "pod-1")]
    [InlineData(null, null, null)]
    public void Build_UtsNamespace_JoinedKeepsTheHostnameHostHasNone(string? utsPath, string? entry, string? hostname)
    {
        var inputs = new RuntimeSpecBuilder.Inputs("id", "pod-1", ["sh"], [], "/", 0, 0, [], "/s/id",
            new Dictionary<string, string?> { ["uts"] = utsPath }, new Dictionary<string, ulong>());

        var spec = RuntimeSpecBuilder.Build(new ContainerOptions(), inputs);

        var namespaces = spec["linux"]!["namespaces"]!.AsArray().Select(n => n!["type"]!.GetValue<string>() + "=" + (n["path"]?.GetValue<string>() ?? "")).ToList();
        Assert.Equal(entry, namespaces.SingleOrDefault(n => n.StartsWith("uts=", StringComparison.Ordinal)));
        // runc refuses to set a hostname in the host's UTS namespace.
        Assert.Equal(hostname, spec["hostname"]?.GetValue<string>());
    }

    [Theory]
    [InlineData("relative:/x")]
    [InlineData("/a:/b:rx")]
    [InlineData("/a")]
    public void Build_InvalidBind_Throws(string bind)
    {
        var inputs = new RuntimeSpecBuilder.Inputs("id", "h", ["sh"], [], "/", 0, 0, [], "/s/id", new Dictionary<string, string?>(), new Dictionary<string, ulong>());
        Assert.Throws<EngineException>(() => RuntimeSpecBuilder.Build(new ContainerOptions { Binds = [bind] }, inputs));
    }
}
