using System.Net;
using k8s.Models;
using Stevedore.Kubelet.Dns;
using Stevedore.Network.Dns;

namespace Stevedore.Kubelet.Tests.Dns;

public sealed class DnsRecordMappingTests
{
    private static V1Service Service(string name, string? clusterIp, string type = "ClusterIP", string ns = "default") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec
        {
            Type = type,
            ClusterIP = clusterIp,
            ClusterIPs = clusterIp is null or "None" ? null : [clusterIp],
            Ports = [new V1ServicePort { Name = "http", Port = 80, Protocol = "TCP" }, new V1ServicePort { Port = 81 }],
        },
    };

    private static V1EndpointSlice Slice(string service, string addressType = "IPv4", string ns = "default", params V1Endpoint[] endpoints) => new()
    {
        Metadata = new V1ObjectMeta { Name = service + "-abc", NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service } },
        AddressType = addressType,
        Endpoints = endpoints,
        Ports = [new Discoveryv1EndpointPort { Name = "web", Port = 8080, Protocol = "TCP" }, new Discoveryv1EndpointPort { Name = "none" }],
    };

    private static V1Endpoint Endpoint(string ip, bool? ready = true, string? hostname = null) => new()
    {
        Addresses = [ip],
        Hostname = hostname,
        Conditions = ready is null ? null : new V1EndpointConditions { Ready = ready },
    };

    [Fact]
    public void Map_ClusterIpService_IpsPortsAndItsOwnSlicesOnly()
    {
        var services = DnsRecordMapping.Map(
            [Service("web", "10.43.0.20")],
            [Slice("web", endpoints: Endpoint("10.42.0.5")), Slice("web", ns: "other", endpoints: Endpoint("10.42.9.9")), Slice("db", endpoints: Endpoint("10.42.0.6"))]);

        var web = Assert.Single(services);
        Assert.Equal(DnsServiceKind.ClusterIP, web.Kind);
        Assert.Equal([IPAddress.Parse("10.43.0.20")], web.ClusterIPs);
        Assert.Equal([new DnsPort("http", "TCP", 80), new DnsPort("", "TCP", 81)], web.Ports);
        var endpoint = Assert.Single(web.Endpoints);
        Assert.Equal([IPAddress.Parse("10.42.0.5")], endpoint.Addresses);
        // The port without a number is left out.
        Assert.Equal([new DnsPort("web", "TCP", 8080)], endpoint.Ports);
    }

    [Fact]
    public void Map_HeadlessService_EndpointsWithHostnameAndReadiness()
    {
        var service = Service("nginx", "None");
        service.Spec.PublishNotReadyAddresses = true;

        var mapped = Assert.Single(DnsRecordMapping.Map([service], [Slice("nginx", endpoints: [Endpoint("10.42.0.5", true, "web-0"), Endpoint("10.42.0.6", false, "web-1"), Endpoint("10.42.0.7", null)])]));

        Assert.Equal(DnsServiceKind.Headless, mapped.Kind);
        Assert.True(mapped.PublishNotReadyAddresses);
        Assert.Empty(mapped.ClusterIPs);
        Assert.Equal(["web-0", "web-1", null], mapped.Endpoints.Select(e => e.Hostname));
        // An unset ready condition counts as ready (the API's documented meaning).
        Assert.Equal([true, false, true], mapped.Endpoints.Select(e => e.Ready));
    }

    [Fact]
    public void Map_ExternalName_AliasWithoutEndpoints()
    {
        var service = Service("ext", null, "ExternalName");
        service.Spec.ExternalName = "www.example.com";

        var mapped = Assert.Single(DnsRecordMapping.Map([service], [Slice("ext", endpoints: Endpoint("10.42.0.5"))]));

        Assert.Equal(DnsServiceKind.ExternalName, mapped.Kind);
        Assert.Equal("www.example.com", mapped.ExternalName);
        Assert.Empty(mapped.Endpoints);
    }

    [Fact]
    public void Map_ServiceWithoutAllocatedIp_LeftOutUntilItHasOne()
    {
        Assert.Empty(DnsRecordMapping.Map([Service("new", null), Service("bad", "not-an-ip")], []));
    }

    [Fact]
    public void Map_FqdnSlicesAndDeletingSlicesAndBadAddresses_Ignored()
    {
        var deleting = Slice("web", endpoints: Endpoint("10.42.0.6"));
        deleting.Metadata.DeletionTimestamp = DateTime.UtcNow;

        var web = Assert.Single(DnsRecordMapping.Map(
            [Service("web", "10.43.0.20")],
            [Slice("web", "FQDN", endpoints: Endpoint("db.example.com")), deleting, Slice("web", endpoints: [Endpoint("nonsense"), Endpoint("10.42.0.7")])]));

        Assert.Equal([IPAddress.Parse("10.42.0.7")], web.Endpoints.SelectMany(e => e.Addresses));
    }

    [Fact]
    public void Map_DualStackSlices_BothFamiliesUnderOneService()
    {
        var service = Service("dual", "10.43.0.21");
        service.Spec.ClusterIPs = ["10.43.0.21", "fd00:43::21"];

        var dual = Assert.Single(DnsRecordMapping.Map([service], [Slice("dual", endpoints: Endpoint("10.42.0.5", hostname: "a")), Slice("dual", "IPv6", endpoints: Endpoint("fd00:42::5", hostname: "a"))]));

        Assert.Equal(2, dual.ClusterIPs.Count);
        Assert.Equal(["10.42.0.5", "fd00:42::5"], dual.Endpoints.SelectMany(e => e.Addresses).Select(a => a.ToString()));
    }
}
