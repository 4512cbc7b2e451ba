using k8s.Models;
using Stevedore.Cri.V1;
using Stevedore.Kubelet.Pods;

namespace Stevedore.Kubelet.Tests.Pods;

public sealed class CommandAndConfigTests
{
    private static readonly Dictionary<string, string> Env = new() { ["NAME"] = "world", ["EMPTY"] = "" };

    [Theory]
    [InlineData("hello $(NAME)", "hello world")]
    [InlineData("$(NAME)$(NAME)", "worldworld")]
    [InlineData("$(MISSING) stays", "$(MISSING) stays")]
    [InlineData("$$(NAME) is escaped", "$(NAME) is escaped")]
    [InlineData("cost: $5", "cost: $5")]
    [InlineData("[$(EMPTY)]", "[]")]
    [InlineData("unterminated $(NAME", "unterminated $(NAME")]
    [InlineData("trailing $", "trailing $")]
    public void Expand_Reference_UpstreamRules(string input, string expected) =>
        Assert.Equal(expected, CommandExpansion.Expand(input, Env));

    [Theory]
    [InlineData("busybox", "Always")]
    [InlineData("busybox:latest", "Always")]
    [InlineData("busybox:1.36", "IfNotPresent")]
    [InlineData("registry.local:5000/busybox", "Always")]
    [InlineData("registry.local:5000/busybox:1", "IfNotPresent")]
    [InlineData("busybox@sha256:0123", "IfNotPresent")]
    public void DefaultPullPolicy_Image_UpstreamDefault(string image, string expected) =>
        Assert.Equal(expected, PodSyncer.DefaultPullPolicy(image));

    [Fact]
    public void For_Container_LabelsAnnotationsCommandEnvMountsAndLogPath()
    {
        var pod = Builders.Pod();
        pod.Spec.TerminationGracePeriodSeconds = 7;
        var container = pod.Spec.Containers[0];
        container.Command = ["sh", "-c"];
        container.Args = ["echo $(NAME)"];
        container.WorkingDir = "/work";
        container.Tty = true;

        var config = ContainerConfigs.For(pod, container, 3, [new KeyValue { Key = "NAME", Value = "world" }], [new Mount { HostPath = "/h", ContainerPath = "/c" }]);

        Assert.Equal(("app", 3u), (config.Metadata.Name, config.Metadata.Attempt));
        Assert.Equal(["sh", "-c"], config.Command);
        Assert.Equal(["echo world"], config.Args);
        Assert.Equal("/work", config.WorkingDir);
        Assert.True(config.Tty);
        Assert.Equal(Path.Combine("app", "3.log"), config.LogPath);
        Assert.Equal("world", Assert.Single(config.Envs).Value);
        Assert.Equal("/c", Assert.Single(config.Mounts).ContainerPath);
        Assert.Equal("app", config.Labels["io.kubernetes.container.name"]);
        Assert.Equal("web", config.Labels["io.kubernetes.pod.name"]);
        Assert.Equal("shop", config.Labels["io.kubernetes.pod.namespace"]);
        Assert.Equal("uid-1", config.Labels["io.kubernetes.pod.uid"]);
        Assert.Equal("3", config.Annotations["io.kubernetes.container.restartCount"]);
        Assert.Equal("7", config.Annotations["io.kubernetes.pod.terminationGracePeriod"]);
        Assert.Equal(ContainerConfigs.Hash(container), config.Annotations["io.kubernetes.container.hash"]);
        Assert.Equal("busybox:1.36", config.Image.Image);
    }

    [Fact]
    public void SecurityContextOf_ContainerOverridesPod_AndNamespaces()
    {
        var spec = new V1PodSpec
        {
            HostNetwork = true,
            ShareProcessNamespace = true,
            SecurityContext = new V1PodSecurityContext { RunAsUser = 1000, RunAsGroup = 2000 },
        };
        var container = new V1Container
        {
            Name = "c",
            SecurityContext = new V1SecurityContext
            {
                RunAsUser = 1001,
                Privileged = true,
                ReadOnlyRootFilesystem = true,
                Capabilities = new V1Capabilities { Add = ["NET_ADMIN"], Drop = ["ALL"] },
            },
        };

        var security = ContainerConfigs.SecurityContextOf(spec, container);

        Assert.Equal(1001, security.RunAsUser.Value);
        Assert.Equal(2000, security.RunAsGroup.Value);
        Assert.True(security.Privileged);
        Assert.True(security.ReadonlyRootfs);
        Assert.Equal(["NET_ADMIN"], security.Capabilities.AddCapabilities);
        Assert.Equal(["ALL"], security.Capabilities.DropCapabilities);
        Assert.Equal((NamespaceMode.Node, NamespaceMode.Pod, NamespaceMode.Pod), (security.NamespaceOptions.Network, security.NamespaceOptions.Pid, security.NamespaceOptions.Ipc));
    }

    [Fact]
    public void SecurityContextOf_Defaults_PrivatePidNoUser()
    {
        var security = ContainerConfigs.SecurityContextOf(new V1PodSpec(), new V1Container { Name = "c" });

        Assert.Null(security.RunAsUser);
        Assert.False(security.Privileged);
        Assert.Equal((NamespaceMode.Pod, NamespaceMode.Container), (security.NamespaceOptions.Network, security.NamespaceOptions.Pid));
    }

    [Fact]
    public void Hash_ImageChanged_Differs()
    {
        var a = new V1Container { Name = "c", Image = "busybox:1.36" };
        var b = new V1Container { Name = "c", Image = "busybox:1.37" };

        Assert.NotEqual(ContainerConfigs.Hash(a), ContainerConfigs.Hash(b));
        Assert.Equal(ContainerConfigs.Hash(a), ContainerConfigs.Hash(new V1Container { Name = "c", Image = "busybox:1.36" }));
    }

    [Fact]
    public void SandboxFor_Pod_IdentityHostnameLogsDnsPortsNamespaces()
    {
        var pod = Builders.Pod();
        pod.Metadata.Labels = new Dictionary<string, string> { ["app"] = "web" };
        pod.Spec.Hostname = "front";
        pod.Spec.HostPID = true;
        pod.Spec.Containers[0].Ports =
        [
            new V1ContainerPort { ContainerPort = 80, HostPort = 8080 },
            new V1ContainerPort { ContainerPort = 53, HostPort = 5353, Protocol = "UDP", HostIP = "127.0.0.1" },
            new V1ContainerPort { ContainerPort = 9090 },
        ];

        var config = SandboxConfigs.For(pod, 2, "/var/log/pods", new DNSConfig());

        Assert.Equal(("web", "shop", "uid-1", 2u), (config.Metadata.Name, config.Metadata.Namespace, config.Metadata.Uid, config.Metadata.Attempt));
        Assert.Equal("front", config.Hostname);
        Assert.Equal("/var/log/pods/shop_web_uid-1", config.LogDirectory);
        Assert.Equal("web", config.Labels["app"]);
        Assert.Equal("uid-1", config.Labels["io.kubernetes.pod.uid"]);
        Assert.Equal(2, config.PortMappings.Count);
        Assert.Equal((Protocol.Udp, 53, 5353, "127.0.0.1"), (config.PortMappings[1].Protocol, config.PortMappings[1].ContainerPort, config.PortMappings[1].HostPort, config.PortMappings[1].HostIp));
        Assert.Equal(NamespaceMode.Node, config.Linux.SecurityContext.NamespaceOptions.Pid);
        Assert.Equal(NamespaceMode.Pod, config.Linux.SecurityContext.NamespaceOptions.Network);
    }

    [Theory]
    [InlineData(null, null, NamespaceMode.Container)]
    [InlineData(null, true, NamespaceMode.Pod)]
    [InlineData(true, true, NamespaceMode.Node)]
    public void SandboxFor_PidNamespace_PodOnlyForShareProcessNamespace(bool? hostPid, bool? shareProcessNamespace, NamespaceMode expected)
    {
        var pod = Builders.Pod();
        pod.Spec.HostPID = hostPid;
        pod.Spec.ShareProcessNamespace = shareProcessNamespace;

        var config = SandboxConfigs.For(pod, 0, "/var/log/pods", new DNSConfig());

        Assert.Equal(expected, config.Linux.SecurityContext.NamespaceOptions.Pid);
    }

    [Fact]
    public void SandboxFor_HostNetwork_NoHostname()
    {
        var pod = Builders.Pod();
        pod.Spec.HostNetwork = true;

        var config = SandboxConfigs.For(pod, 0, "/var/log/pods", new DNSConfig());

        Assert.Equal("", config.Hostname);
        Assert.Equal(NamespaceMode.Node, config.Linux.SecurityContext.NamespaceOptions.Network);
    }

    [Fact]
    public void Hostname_LongPodName_CutTo63WithoutTrailingDash()
    {
        var pod = Builders.Pod();
        pod.Metadata.Name = new string('a', 62) + "-bbbbbb";

        Assert.Equal(new string('a', 62), SandboxConfigs.Hostname(pod));
    }

    [Fact]
    public void EtcHosts_SubdomainAndAliases_FqdnFirstThenAliases()
    {
        var pod = Builders.Pod();
        pod.Spec.Subdomain = "backend";
        pod.Spec.HostAliases = [new V1HostAlias { Ip = "10.1.2.3", Hostnames = ["db", "db.local"] }];

        var hosts = EtcHosts.Content(pod, ["10.244.0.5"], "cluster.local");

        Assert.Contains("10.244.0.5\tweb.backend.shop.svc.cluster.local\tweb\n", hosts, StringComparison.Ordinal);
        Assert.Contains("# Entries added by HostAliases.\n10.1.2.3\tdb\tdb.local\n", hosts, StringComparison.Ordinal);
        Assert.StartsWith("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n", hosts, StringComparison.Ordinal);
    }
}
