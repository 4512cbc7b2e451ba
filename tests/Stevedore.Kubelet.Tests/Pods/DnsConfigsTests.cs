using k8s.Models;
using Stevedore.Kubelet.Pods;

namespace Stevedore.Kubelet.Tests.Pods;

public sealed class DnsConfigsTests
{
    private static readonly ResolvConf Host = ResolvConf.Parse("nameserver 192.0.2.53\nsearch corp.example\noptions edns0\n");

    public static TheoryData<string?, bool, string, string, string> PolicyCases => new()
    {
        // dnsPolicy, hostNetwork → servers, searches, options (space separated)
        { null, false, "10.43.0.10", "shop.svc.cluster.local svc.cluster.local cluster.local corp.example", "ndots:5" },
        { "ClusterFirst", false, "10.43.0.10", "shop.svc.cluster.local svc.cluster.local cluster.local corp.example", "ndots:5" },
        { "ClusterFirst", true, "192.0.2.53", "corp.example", "edns0" },
        { "ClusterFirstWithHostNet", true, "10.43.0.10", "shop.svc.cluster.local svc.cluster.local cluster.local corp.example", "ndots:5" },
        { "Default", false, "192.0.2.53", "corp.example", "edns0" },
        { "None", false, "", "", "" },
    };

    [Theory]
    [MemberData(nameof(PolicyCases))]
    public void For_Policy_UpstreamResolver(string? policy, bool hostNetwork, string servers, string searches, string options)
    {
        var pod = Builders.Pod();
        pod.Spec.DnsPolicy = policy;
        pod.Spec.HostNetwork = hostNetwork;

        var dns = DnsConfigs.For(pod, ["10.43.0.10"], "cluster.local", Host);

        Assert.Equal(servers, string.Join(' ', dns.Servers));
        Assert.Equal(searches, string.Join(' ', dns.Searches));
        Assert.Equal(options, string.Join(' ', dns.Options));
    }

    [Fact]
    public void For_DnsConfig_AppendsDeduplicatesAndOverridesOptions()
    {
        var pod = Builders.Pod();
        pod.Spec.DnsConfig = new V1PodDNSConfig
        {
            Nameservers = ["10.43.0.10", "1.2.3.4"],
            Searches = ["svc.cluster.local", "extra.example"],
            Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "2" }, new V1PodDNSConfigOption { Name = "single-request" }],
        };

        var dns = DnsConfigs.For(pod, ["10.43.0.10"], "cluster.local", ResolvConf.Empty);

        Assert.Equal(["10.43.0.10", "1.2.3.4"], dns.Servers);
        Assert.Equal(["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "extra.example"], dns.Searches);
        Assert.Equal(["ndots:2", "single-request"], dns.Options);
    }

    [Fact]
    public void For_NoClusterDns_FallsBackToTheHost()
    {
        var dns = DnsConfigs.For(Builders.Pod(), [], "cluster.local", Host);

        Assert.Equal(["192.0.2.53"], dns.Servers);
    }

    [Fact]
    public void Parse_ResolvConf_LastSearchWinsCommentsIgnored()
    {
        var parsed = ResolvConf.Parse("# generated\nsearch a.example\nnameserver 10.0.0.1 # primary\nsearch b.example c.example.\noptions ndots:2 timeout:1\nnameserver 10.0.0.2\n");

        Assert.Equal(["10.0.0.1", "10.0.0.2"], parsed.Nameservers);
        Assert.Equal(["b.example", "c.example"], parsed.Searches);
        Assert.Equal(["ndots:2", "timeout:1"], parsed.Options);
    }
}
