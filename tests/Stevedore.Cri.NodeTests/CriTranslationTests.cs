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
    [InlineData(NamespaceMode.Container, "private")]
    [InlineData(NamespaceMode.Pod, "private")]
    [InlineData(NamespaceMode.Node, "host")]
    public void ContainerOptionsOf_SandboxWithoutPauseContainer_JoinsThePinnedNamespacesByPath(NamespaceMode pid, string pidMode)
    {
        var config = new ContainerConfig
        {
            Image = new ImageSpec { Image = "busybox" },
            Linux = new LinuxContainerConfig { SecurityContext = new LinuxContainerSecurityContext { NamespaceOptions = new NamespaceOption { Pid = pid } } },
        };
        var sandbox = new CriMetadata { PinnedNamespaces = true, NetnsPath = "/run/netns/cni-1", IpcPath = "/run/podns/ipc-1", UtsPath = "/run/podns/uts-1" };

        var options = CriRuntimeService.ContainerOptionsOf(config, "sb1", sandbox);

        Assert.Equal(("ns:/run/netns/cni-1", "ns:/run/podns/ipc-1", "ns:/run/podns/uts-1", pidMode), (options.Network, options.Ipc, options.Uts, options.Pid));
    }

    [Fact]
    public void ContainerOptionsOf_HostNamespacesWithoutPauseContainer_UseTheNodesAndKeepAUtsOfTheirOwn()
    {
        var config = new ContainerConfig { Image = new ImageSpec { Image = "busybox" } };
        var sandbox = new CriMetadata { PinnedNamespaces = true, HostNetwork = true, HostIpc = true };

        var options = CriRuntimeService.ContainerOptionsOf(config, "sb1", sandbox);

        Assert.Equal(("host", "host", "private"), (options.Network, options.Ipc, options.Uts));
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
    public void PortMappingsOf_OnlyHostPorts_ProtocolsLowercased()
    {
        var config = new PodSandboxConfig
        {
            PortMappings =
            {
                new PortMapping { ContainerPort = 80, HostPort = 8080 },
                new PortMapping { ContainerPort = 53, HostPort = 5353, Protocol = Protocol.Udp, HostIp = "127.0.0.1" },
                new PortMapping { ContainerPort = 9, HostPort = 9999, Protocol = Protocol.Sctp },
                new PortMapping { ContainerPort = 7070 },
            },
        };

        Assert.Equal(
            [new CriPortMapping(8080, 80, "tcp", ""), new CriPortMapping(5353, 53, "udp", "127.0.0.1"), new CriPortMapping(9999, 9, "sctp", "")],
            CriPodNetwork.PortMappingsOf(config));
    }

    [Fact]
    public void NetworkStatusOf_FirstIpPrimary_RestAdditional()
    {
        var status = CriRuntimeService.NetworkStatusOf(new CriMetadata { PodIps = ["10.42.0.5", "fd00:42::5"] });

        Assert.Equal("10.42.0.5", status.Ip);
        Assert.Equal(["fd00:42::5"], status.AdditionalIps.Select(i => i.Ip));
        Assert.Equal("", CriRuntimeService.NetworkStatusOf(new CriMetadata()).Ip);
    }

    [Fact]
    public void RuntimeConfOf_PodArgsNamespaceAndPortMappings()
    {
        var network = new CriPodNetwork(new CriNetworkOptions { ConfDir = "/etc/stevedore/cni/net.d" });
        var sandbox = new CriMetadata { Name = "web-0", Namespace = "shop", Uid = "u-1", NetnsPath = "/run/netns/cni-1", PortMappings = [new CriPortMapping(8080, 80, "tcp", "")] };

        var runtime = network.RuntimeConfOf("abc123", sandbox);

        Assert.Equal(("abc123", "/run/netns/cni-1", "eth0"), (runtime.ContainerId, runtime.NetnsPath, runtime.IfName));
        Assert.Equal(
            ["K8S_POD_NAMESPACE=shop", "K8S_POD_NAME=web-0", "K8S_POD_INFRA_CONTAINER_ID=abc123", "K8S_POD_UID=u-1"],
            runtime.Args.Select(a => a.Key + "=" + a.Value));
        Assert.Equal(8080, (int)runtime.CapabilityArgs["portMappings"]![0]!["hostPort"]!);
        Assert.Empty(network.RuntimeConfOf("abc123", new CriMetadata()).CapabilityArgs);
    }

    [Fact]
    public void CriMetadata_NetworkFields_SurviveTheEngineLabel()
    {
        var meta = new CriMetadata { NetnsPath = "/run/netns/cni-x", CniConfig = "{}", CniResult = "{\"ips\":[]}", PodIps = ["10.42.0.9"], PortMappings = [new CriPortMapping(1, 2, "udp", "::1")] };

        var back = CriMetadata.From(new Dictionary<string, string> { [CriMetadata.MetadataLabel] = meta.ToJson() })!;

        Assert.Equal(("/run/netns/cni-x", "{}", "{\"ips\":[]}", "10.42.0.9"), (back.NetnsPath, back.CniConfig, back.CniResult, back.PodIps.Single()));
        Assert.Equal(new CriPortMapping(1, 2, "udp", "::1"), back.PortMappings.Single());
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
