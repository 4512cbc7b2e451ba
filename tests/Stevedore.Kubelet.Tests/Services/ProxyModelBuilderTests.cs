using System.Net;
using k8s.Models;
using Stevedore.Kubelet.Services;
using Stevedore.Network.Proxy;

namespace Stevedore.Kubelet.Tests.Services;

public sealed class ProxyModelBuilderTests
{
    private static V1Service Service(string name, string type = "ClusterIP", string clusterIp = "10.43.0.20", params V1ServicePort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1ServiceSpec
        {
            Type = type,
            ClusterIP = clusterIp,
            ClusterIPs = [clusterIp],
            Ports = ports.Length > 0 ? ports : [new V1ServicePort { Name = "http", Port = 80, Protocol = "TCP" }],
        },
    };

    private static V1EndpointSlice Slice(string service, string name, string addressType = "IPv4", V1Endpoint[]? endpoints = null, params Discoveryv1EndpointPort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Labels = new Dictionary<string, string> { [ProxyModelBuilder.ServiceNameLabel] = service } },
        AddressType = addressType,
        Endpoints = endpoints ?? [],
        Ports = ports.Length > 0 ? ports : [new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" }],
    };

    private static V1Endpoint Endpoint(string ip, bool? ready = null, bool? serving = null, bool? terminating = null, string? node = null) => new()
    {
        Addresses = [ip],
        Conditions = ready is null && serving is null && terminating is null ? null : new V1EndpointConditions { Ready = ready, Serving = serving, Terminating = terminating },
        NodeName = node,
    };

    [Fact]
    public void Build_ClusterIpServiceWithSlices_OnePortWithEndpointsFromEverySliceOfTheService()
    {
        var services = ProxyModelBuilder.Build(
            [Service("web")],
            [
                Slice("web", "web-a", endpoints: [Endpoint("10.42.0.5", node: "node-a")]),
                Slice("web", "web-b", endpoints: [Endpoint("10.42.1.5", ready: false, serving: true, terminating: true, node: "node-b")]),
                Slice("other", "other-a", endpoints: [Endpoint("10.42.0.99")]),
            ]);

        var service = Assert.Single(services);
        Assert.Equal("default/web/tcp/http", service.Key);
        Assert.Equal(IPAddress.Parse("10.43.0.20"), service.ClusterIP);
        Assert.Equal(80, service.Port);
        Assert.Equal(0, service.NodePort);
        Assert.Null(service.SessionAffinityTimeout);
        Assert.Equal(
        [
            new ProxyEndpoint(IPAddress.Parse("10.42.0.5"), 8080, true, true, false, "node-a"),
            new ProxyEndpoint(IPAddress.Parse("10.42.1.5"), 8080, false, true, true, "node-b"),
        ], service.Endpoints);
    }

    [Fact]
    public void Build_NoConditions_ReadyAndServingNotTerminating_AsUpstreamDefaults()
    {
        var service = Assert.Single(ProxyModelBuilder.Build([Service("web")], [Slice("web", "s", endpoints: [Endpoint("10.42.0.5"), Endpoint("10.42.0.6", ready: false)])]));

        Assert.Equal(new ProxyEndpoint(IPAddress.Parse("10.42.0.5"), 8080, true, true, false), service.Endpoints[0]);
        // serving defaults to ready.
        Assert.Equal(new ProxyEndpoint(IPAddress.Parse("10.42.0.6"), 8080, false, false, false), service.Endpoints[1]);
    }

    [Theory]
    [InlineData("ExternalName", "")]
    [InlineData("ClusterIP", "None")]
    [InlineData("ClusterIP", "")]
    [InlineData("ClusterIP", "fd00:43::5")]
    public void Build_ExternalNameHeadlessUnallocatedOrIpv6Only_NotProxied(string type, string clusterIp)
    {
        Assert.Empty(ProxyModelBuilder.Build([Service("x", type, clusterIp)], [Slice("x", "s", endpoints: [Endpoint("10.42.0.5")])]));
    }

    [Fact]
    public void Build_SelectorlessServiceWithoutSlices_ProxiedWithNoEndpoints()
    {
        var service = Assert.Single(ProxyModelBuilder.Build([Service("manual")], []));

        Assert.Empty(service.Endpoints);
    }

    [Fact]
    public void Build_SeveralPorts_EndpointsMatchedByPortNameAndProtocol()
    {
        var service = Service("dns", "ClusterIP", "10.43.0.10",
            new V1ServicePort { Name = "dns", Port = 53, Protocol = "UDP" },
            new V1ServicePort { Name = "dns-tcp", Port = 53, Protocol = "TCP" },
            new V1ServicePort { Name = "metrics", Port = 9153 });
        var slice = Slice("dns", "s", endpoints: [Endpoint("10.42.0.7")],
            ports:
            [
                new Discoveryv1EndpointPort { Name = "dns", Port = 5353, Protocol = "UDP" },
                new Discoveryv1EndpointPort { Name = "dns-tcp", Port = 5354, Protocol = "TCP" },
                new Discoveryv1EndpointPort { Name = "metrics", Port = 9153 },
            ]);

        var ports = ProxyModelBuilder.Build([service], [slice]).ToDictionary(p => p.Key, p => p);

        Assert.Equal(ProxyProtocol.Udp, ports["default/dns/udp/dns"].Protocol);
        Assert.Equal(5353, Assert.Single(ports["default/dns/udp/dns"].Endpoints).Port);
        Assert.Equal(5354, Assert.Single(ports["default/dns/tcp/dns-tcp"].Endpoints).Port);
        Assert.Equal(9153, Assert.Single(ports["default/dns/tcp/metrics"].Endpoints).Port);
    }

    [Fact]
    public void Build_SliceWithoutTheServicesPortOrOfAnotherFamily_Ignored()
    {
        var services = ProxyModelBuilder.Build(
            [Service("web")],
            [
                Slice("web", "wrong-port", endpoints: [Endpoint("10.42.0.5")], ports: [new Discoveryv1EndpointPort { Name = "other", Port = 1 }]),
                Slice("web", "v6", "IPv6", [Endpoint("fd00::5")]),
                Slice("web", "fqdn", "FQDN", [Endpoint("example.test")]),
            ]);

        Assert.Empty(Assert.Single(services).Endpoints);
    }

    [Fact]
    public void Build_LoadBalancer_NodePortIngressAndExternalIpsAsExternalAddresses_PoliciesAndAffinity()
    {
        var service = Service("lb", "LoadBalancer", "10.43.0.30", new V1ServicePort { Port = 443, NodePort = 31443 });
        service.Spec.ExternalIPs = ["192.168.7.7"];
        service.Spec.ExternalTrafficPolicy = "Local";
        service.Spec.InternalTrafficPolicy = "Local";
        service.Spec.SessionAffinity = "ClientIP";
        service.Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Ip = "192.168.5.10" }, new V1LoadBalancerIngress { Hostname = "lb.example" }] } };

        var port = Assert.Single(ProxyModelBuilder.Build([service], []));

        Assert.Equal(31443, port.NodePort);
        Assert.Equal([IPAddress.Parse("192.168.7.7"), IPAddress.Parse("192.168.5.10")], port.ExternalAddresses);
        Assert.True(port.ExternalTrafficLocal);
        Assert.True(port.InternalTrafficLocal);
        Assert.Equal(TimeSpan.FromHours(3), port.SessionAffinityTimeout);
        Assert.Equal("default/lb/tcp/p443", port.Key);
    }

    [Fact]
    public void Build_IngressOfANonLoadBalancerService_Ignored_AffinityTimeoutHonoured()
    {
        var service = Service("np", "NodePort");
        service.Spec.SessionAffinity = "ClientIP";
        service.Spec.SessionAffinityConfig = new V1SessionAffinityConfig { ClientIP = new V1ClientIPConfig { TimeoutSeconds = 60 } };
        service.Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Ip = "192.168.5.10" }] } };

        var port = Assert.Single(ProxyModelBuilder.Build([service], []));

        Assert.Empty(port.ExternalAddresses);
        Assert.Equal(TimeSpan.FromSeconds(60), port.SessionAffinityTimeout);
    }
}
