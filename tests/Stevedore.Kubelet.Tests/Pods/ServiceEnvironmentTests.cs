using k8s.Models;
using Stevedore.Kubelet.Pods;

namespace Stevedore.Kubelet.Tests.Pods;

public sealed class ServiceEnvironmentTests
{
    private static V1Service Service(string ns, string name, string clusterIP, params V1ServicePort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec { ClusterIP = clusterIP, Ports = ports },
    };

    private static V1ServicePort Port(int port, string? name = null, string? protocol = "TCP") => new() { Port = port, Name = name, Protocol = protocol };

    private static readonly V1Service Kubernetes = Service("default", "kubernetes", "10.43.0.1", Port(443, "https"));

    [Fact]
    public void FromService_OneNamedPort_MatchesUpstreamVariables()
    {
        var variables = ServiceEnvironment.FromService(Service("app", "my-svc", "10.43.7.7", Port(80, "http")));
        Assert.Equal(
        [
            new("MY_SVC_SERVICE_HOST", "10.43.7.7"),
            new("MY_SVC_SERVICE_PORT", "80"),
            new("MY_SVC_SERVICE_PORT_HTTP", "80"),
            new("MY_SVC_PORT", "tcp://10.43.7.7:80"),
            new("MY_SVC_PORT_80_TCP", "tcp://10.43.7.7:80"),
            new("MY_SVC_PORT_80_TCP_PROTO", "tcp"),
            new("MY_SVC_PORT_80_TCP_PORT", "80"),
            new("MY_SVC_PORT_80_TCP_ADDR", "10.43.7.7"),
        ], variables);
    }

    [Theory]
    [InlineData("DNS_SERVICE_PORT", "53")]
    [InlineData("DNS_SERVICE_PORT_DNS_TCP", "53")]
    [InlineData("DNS_SERVICE_PORT_DNS_UDP", "53")]
    [InlineData("DNS_PORT", "tcp://10.43.0.10:53")]
    [InlineData("DNS_PORT_53_UDP", "udp://10.43.0.10:53")]
    [InlineData("DNS_PORT_53_UDP_PROTO", "udp")]
    [InlineData("DNS_PORT_53_TCP_ADDR", "10.43.0.10")]
    [InlineData("DNS_PORT_9153_TCP_PORT", "9153")]
    [InlineData("DNS_SERVICE_PORT_METRICS", "9153")]
    public void FromService_SeveralPortsAndProtocols(string name, string value)
    {
        var service = Service("kube-system", "dns", "10.43.0.10", Port(53, "dns-tcp"), Port(53, "dns-udp", "UDP"), Port(9153, "metrics", null));
        var variables = ServiceEnvironment.FromService(service).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(value, variables[name]);
    }

    [Fact]
    public void FromService_UnnamedFirstPort_HasNoNamedVariable()
    {
        var variables = ServiceEnvironment.FromService(Service("app", "db", "10.43.1.1", Port(5432)));
        Assert.DoesNotContain(variables, kv => kv.Key.StartsWith("DB_SERVICE_PORT_", StringComparison.Ordinal));
        Assert.Contains(new KeyValuePair<string, string>("DB_SERVICE_PORT", "5432"), variables);
    }

    [Fact]
    public void FromService_IPv6ClusterIP_IsBracketedInUrls()
    {
        var variables = ServiceEnvironment.FromService(Service("app", "v6", "fd00::10", Port(80))).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal("tcp://[fd00::10]:80", variables["V6_PORT"]);
        Assert.Equal("fd00::10", variables["V6_PORT_80_TCP_ADDR"]);
    }

    public static TheoryData<string, bool?, string[]> Visibility => new()
    {
        // Own namespace plus kubernetes from default.
        { "app", true, ["KUBERNETES_SERVICE_HOST", "WEB_SERVICE_HOST"] },
        { "app", null, ["KUBERNETES_SERVICE_HOST", "WEB_SERVICE_HOST"] },
        // Links off: only the master service.
        { "app", false, ["KUBERNETES_SERVICE_HOST"] },
        // A pod in default sees default's Services (with links) but never other namespaces'.
        { "default", true, ["KUBERNETES_SERVICE_HOST", "REGISTRY_SERVICE_HOST"] },
        { "default", false, ["KUBERNETES_SERVICE_HOST"] },
        { "empty", true, ["KUBERNETES_SERVICE_HOST"] },
    };

    [Theory]
    [MemberData(nameof(Visibility))]
    public void ForPod_SeesOwnNamespaceWithLinksAndAlwaysKubernetes(string ns, bool? links, string[] hosts)
    {
        var services = new[]
        {
            Kubernetes,
            Service("default", "registry", "10.43.2.2", Port(5000)),
            Service("app", "web", "10.43.3.3", Port(80, "http")),
            Service("app", "headless", "None", Port(80)),
            Service("app", "alias", "", Port(80)),
            Service("other", "secret-svc", "10.43.4.4", Port(80)),
        };
        var variables = ServiceEnvironment.ForPod(ns, links, services);
        Assert.Equal(hosts, variables.Keys.Where(k => k.EndsWith("_SERVICE_HOST", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ForPod_AKubernetesServiceInTheOwnNamespace_WinsOverDefaults()
    {
        var own = Service("app", "kubernetes", "10.43.9.9", Port(8443));
        Assert.Equal("10.43.9.9", ServiceEnvironment.ForPod("app", true, [Kubernetes, own])["KUBERNETES_SERVICE_HOST"]);
        Assert.Equal("10.43.9.9", ServiceEnvironment.ForPod("app", true, [own, Kubernetes])["KUBERNETES_SERVICE_HOST"]);
        Assert.Equal("10.43.0.1", ServiceEnvironment.ForPod("app", false, [own, Kubernetes])["KUBERNETES_SERVICE_HOST"]);
    }

    [Fact]
    public void ForPod_KubernetesVariables_AsEveryPodGetsThem()
    {
        var variables = ServiceEnvironment.ForPod("app", false, [Kubernetes]);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["KUBERNETES_SERVICE_HOST"] = "10.43.0.1",
                ["KUBERNETES_SERVICE_PORT"] = "443",
                ["KUBERNETES_SERVICE_PORT_HTTPS"] = "443",
                ["KUBERNETES_PORT"] = "tcp://10.43.0.1:443",
                ["KUBERNETES_PORT_443_TCP"] = "tcp://10.43.0.1:443",
                ["KUBERNETES_PORT_443_TCP_PROTO"] = "tcp",
                ["KUBERNETES_PORT_443_TCP_PORT"] = "443",
                ["KUBERNETES_PORT_443_TCP_ADDR"] = "10.43.0.1",
            },
            variables);
    }
}
