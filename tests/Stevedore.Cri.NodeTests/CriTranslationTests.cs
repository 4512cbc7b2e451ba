using Stevedore.Cri.V1;
using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Cri;
using EngineStatus = Stevedore.Runtime.Containers.ContainerStatus;

namespace Stevedore.Cri.NodeTests;

/// <summary>Pure logic of the CRI server: how CRI requests become engine options and back. No I/O.</summary>
public sealed class CriTranslationTests
{
    private static readonly CriMetadata PodSandbox = new() { Name = "p", Namespace = "ns", Uid = "u" };

    [Theory]
    [InlineData("abcdef", "", true)]
    [InlineData("abcdef", "abc", true)]
    [InlineData("abcdef", "abcdef", true)]
    [InlineData("abcdef", "abd", false)]
    [InlineData("abcdef", "abcdefg", false)]
    public void MatchesId_Prefix_MatchesLikeCrictl(string id, string filter, bool expected) =>
        Assert.Equal(expected, CriRuntimeService.MatchesId(id, filter));

    [Theory]
    [InlineData("", true)]
    [InlineData("app=web", true)]
    [InlineData("app=web,tier=front", true)]
    [InlineData("app=db", false)]
    [InlineData("missing=x", false)]
    public void MatchesLabels_Selector_NeedsEveryPair(string selector, bool expected)
    {
        var labels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" };
        var wanted = selector.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);

        Assert.Equal(expected, CriRuntimeService.MatchesLabels(labels, wanted));
    }

    [Theory]
    [InlineData(EngineStatus.Created, null, false, ContainerState.ContainerCreated, "")]
    [InlineData(EngineStatus.Running, null, false, ContainerState.ContainerRunning, "")]
    [InlineData(EngineStatus.Exited, 0, false, ContainerState.ContainerExited, "Completed")]
    [InlineData(EngineStatus.Exited, 1, false, ContainerState.ContainerExited, "Error")]
    [InlineData(EngineStatus.Exited, 137, true, ContainerState.ContainerExited, "OOMKilled")]
    public void StateAndReason_EngineRecord_UseKubeletWords(EngineStatus status, int? exitCode, bool oom, ContainerState state, string reason)
    {
        var record = new ContainerRecord { Status = status, ExitCode = exitCode, OomKilled = oom };

        Assert.Equal(state, CriRuntimeService.StateOf(record));
        Assert.Equal(reason, CriRuntimeService.ReasonOf(record));
    }

    [Fact]
    public void ContainerOptionsOf_PodContainer_JoinsSandboxNamespacesAndMapsDockerFields()
    {
        var config = new ContainerConfig
        {
            Image = new ImageSpec { Image = "busybox" },
            Command = { "sh", "-c" },
            Args = { "echo hi" },
            Envs = { new KeyValue { Key = "A", Value = "1=2" } },
            Mounts = { new Mount { HostPath = "/h", ContainerPath = "/c", Readonly = true }, new Mount { HostPath = "/h2", ContainerPath = "/c2" } },
            WorkingDir = "/w",
            Linux = new LinuxContainerConfig
            {
                Resources = new LinuxContainerResources { CpuQuota = 50000, CpuPeriod = 100000, MemoryLimitInBytes = 1 << 20, CpuShares = 512 },
                SecurityContext = new LinuxContainerSecurityContext
                {
                    RunAsUser = new Int64Value { Value = 1000 },
                    RunAsGroup = new Int64Value { Value = 2000 },
                    NamespaceOptions = new NamespaceOption { Pid = NamespaceMode.Container },
                    Capabilities = new Capability { AddCapabilities = { "NET_ADMIN" }, DropCapabilities = { "ALL" } },
                },
            },
        };

        var options = CriRuntimeService.ContainerOptionsOf(config, "sb1", PodSandbox);

        Assert.Equal(["sh", "-c"], options.Entrypoint);
        Assert.Equal(["echo hi"], options.Command);
        Assert.Equal(["A=1=2"], options.Env);
        Assert.Equal(["/h:/c:ro", "/h2:/c2"], options.Binds);
        Assert.Equal("/w", options.WorkingDir);
        Assert.Equal("1000:2000", options.User);
        Assert.Equal("container:sb1", options.Network);
        Assert.Equal("container:sb1", options.Ipc);
        Assert.Equal("private", options.Pid);
        Assert.Equal(0.5, options.Cpus);
        Assert.Equal(1 << 20, options.MemoryBytes);
        Assert.Equal(512, options.CpuShares);
        Assert.Equal(["NET_ADMIN"], options.CapAdd);
        Assert.Equal(["ALL"], options.CapDrop);
    }

    [Theory]
    [InlineData(false, null, "container:sb1", "container:sb1")]
    [InlineData(false, NamespaceMode.Pod, "container:sb1", "container:sb1")]
    [InlineData(false, NamespaceMode.Container, "container:sb1", "private")]
    [InlineData(false, NamespaceMode.Node, "container:sb1", "host")]
    [InlineData(true, NamespaceMode.Container, "host", "private")]
    public void ContainerOptionsOf_NamespaceModes_FollowTheProtoDefaults(bool hostNetwork, NamespaceMode? pid, string network, string pidMode)
    {
        var config = new ContainerConfig { Image = new ImageSpec { Image = "busybox" } };
        if (pid is not null)
        {
            config.Linux = new LinuxContainerConfig { SecurityContext = new LinuxContainerSecurityContext { NamespaceOptions = new NamespaceOption { Pid = pid.Value } } };
        }

        var options = CriRuntimeService.ContainerOptionsOf(config, "sb1", new CriMetadata { HostNetwork = hostNetwork });

        Assert.Equal(network, options.Network);
        Assert.Equal(pidMode, options.Pid);
        Assert.Null(options.Entrypoint);
    }

    [Fact]
    public void CriMetadata_RoundTripsThroughEngineLabels()
    {
        var meta = new CriMetadata { Name = "n", Uid = "u", Attempt = 2, Labels = { ["a"] = "b" }, Annotations = { ["x"] = "{\"y\":1}" }, HostIpc = true };

        var back = CriMetadata.From(new Dictionary<string, string> { [CriMetadata.MetadataLabel] = meta.ToJson() })!;

        Assert.Equal(("n", "u", 2u, "b", "{\"y\":1}", true), (back.Name, back.Uid, back.Attempt, back.Labels["a"], back.Annotations["x"], back.HostIpc));
        Assert.Null(CriMetadata.From(new Dictionary<string, string>()));
    }

    [Fact]
    public void ToNanoseconds_Time_CountsFromTheEpoch()
    {
        Assert.Equal(0, CriTime.ToNanoseconds(null));
        Assert.Equal(1_500_000_000_000_000_100, CriTime.ToNanoseconds(DateTimeOffset.UnixEpoch.AddTicks(15_000_000_000_000_001)));
    }

    [Fact]
    public void CappedStream_BeyondCap_DropsTheRest()
    {
        using var stream = new CappedStream(5);

        stream.Write("abc"u8);
        stream.Write("defgh"u8);
        stream.Write("ij"u8);

        Assert.Equal("abcde", System.Text.Encoding.ASCII.GetString(stream.ToArray()));
    }
}
