using k8s.Models;
using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet.Tests.Volumes;

public sealed class ServiceEnvironmentTests
{
    private static V1Service Service(string ns, string name, string clusterIp, params V1ServicePort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec { ClusterIP = clusterIp, Ports = ports },
    };

    [Fact]
    public void Variables_NamedPortsAndDockerLinks_AsUpstream()
    {
        var service = Service("shop", "web-api", "10.43.0.10",
            new V1ServicePort { Port = 80, Name = "http" }, new V1ServicePort { Port = 53, Name = "dns", Protocol = "UDP" });

        var variables = ServiceEnvironment.Variables([service]).ToDictionary(v => v.Name, v => v.Value);

        Assert.Equal("10.43.0.10", variables["WEB_API_SERVICE_HOST"]);
        Assert.Equal("80", variables["WEB_API_SERVICE_PORT"]);
        Assert.Equal("80", variables["WEB_API_SERVICE_PORT_HTTP"]);
        Assert.Equal("53", variables["WEB_API_SERVICE_PORT_DNS"]);
        Assert.Equal("tcp://10.43.0.10:80", variables["WEB_API_PORT"]);
        Assert.Equal("tcp://10.43.0.10:80", variables["WEB_API_PORT_80_TCP"]);
        Assert.Equal("tcp", variables["WEB_API_PORT_80_TCP_PROTO"]);
        Assert.Equal("80", variables["WEB_API_PORT_80_TCP_PORT"]);
        Assert.Equal("10.43.0.10", variables["WEB_API_PORT_80_TCP_ADDR"]);
        Assert.Equal("udp://10.43.0.10:53", variables["WEB_API_PORT_53_UDP"]);
        Assert.Equal(13, variables.Count);
    }

    [Theory]
    [InlineData("None")]
    [InlineData("")]
    public void Variables_HeadlessOrUnallocated_GivesNone(string clusterIp)
    {
        Assert.Empty(ServiceEnvironment.Variables([Service("shop", "db", clusterIp, new V1ServicePort { Port = 5432 })]));
    }

    [Fact]
    public void Variables_Ipv6_IsBracketedInUrls()
    {
        var variables = ServiceEnvironment.Variables([Service("shop", "v6", "fd00::1", new V1ServicePort { Port = 443 })]).ToDictionary(v => v.Name, v => v.Value);
        Assert.Equal("tcp://[fd00::1]:443", variables["V6_PORT"]);
    }

    [Fact]
    public void Visible_KubernetesFromDefaultAlways_OwnNamespaceOnlyWithServiceLinks()
    {
        var master = Service("default", "kubernetes", "10.43.0.1", new V1ServicePort { Port = 443 });
        var other = Service("default", "other", "10.43.0.2", new V1ServicePort { Port = 1 });
        var own = Service("shop", "web", "10.43.0.3", new V1ServicePort { Port = 80 });

        Assert.Equal(["kubernetes", "web"], ServiceEnvironment.Visible("shop", true, [master, other], [own]).Select(s => s.Metadata.Name));
        Assert.Equal(["kubernetes"], ServiceEnvironment.Visible("shop", false, [master, other], [own]).Select(s => s.Metadata.Name));
        Assert.Equal(["kubernetes", "other"], ServiceEnvironment.Visible("default", true, [master, other], [master, other]).Select(s => s.Metadata.Name));
    }
}
