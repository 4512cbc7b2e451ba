using System.Net;
using Stevedore.Network.Dns;
using Stevedore.Network.Dns.Wire;
using static Stevedore.Network.Tests.Dns.DnsTesting;

namespace Stevedore.Network.Tests.Dns;

public sealed class DnsResolverTests
{
    private static readonly DnsPort Http = new("http", "TCP", 80);

    [Fact]
    public void A_ClusterIpService_AnswersTheClusterIpAuthoritatively()
    {
        var zone = Snapshot(ClusterIp("default", "my-svc", "10.43.0.20", Http));

        var response = Answer(zone, "my-svc.default.svc.cluster.local", DnsType.A);

        Assert.Equal(DnsResponseCode.NoError, response.ResponseCode);
        Assert.True(response.Authoritative);
        var record = Assert.Single(response.Answers);
        Assert.Equal("my-svc.default.svc.cluster.local.", record.Name);
        Assert.Equal(DnsType.A, record.Type);
        Assert.Equal(5u, record.Ttl);
        Assert.Equal("10.43.0.20", record.Data);
    }

    [Fact]
    public void A_MixedCaseQuestion_MatchesAndEchoesTheClientsCase()
    {
        var zone = Snapshot(ClusterIp("default", "my-svc", "10.43.0.20"));

        var response = Answer(zone, "MY-svc.Default.SVC.cluster.LOCAL", DnsType.A);

        Assert.Equal("MY-svc.Default.SVC.cluster.LOCAL.", Assert.Single(response.Questions).Name);
        Assert.Equal("MY-svc.Default.SVC.cluster.LOCAL.", Assert.Single(response.Answers).Name);
    }

    [Fact]
    public void Aaaa_Ipv4OnlyService_NoDataWithSoaSoTheAQueryStillWins()
    {
        var zone = Snapshot(ClusterIp("default", "my-svc", "10.43.0.20"));

        var response = Answer(zone, "my-svc.default.svc.cluster.local", DnsType.AAAA);

        Assert.Equal(DnsResponseCode.NoError, response.ResponseCode);
        Assert.Empty(response.Answers);
        var soa = Assert.Single(response.Authority);
        Assert.Equal(DnsType.SOA, soa.Type);
        Assert.Equal("cluster.local.", soa.Name);
        Assert.Equal("ns.dns.cluster.local. hostmaster.cluster.local. 42 7200 1800 86400 5", soa.Data);
    }

    [Fact]
    public void Aaaa_DualStackService_AnswersTheIpv6ClusterIp()
    {
        var zone = Snapshot(new DnsService { Namespace = "default", Name = "dual", ClusterIPs = [IPAddress.Parse("10.43.0.21"), IPAddress.Parse("fd00:43::21")] });

        Assert.Equal(["fd00:43::21"], Data(Answer(zone, "dual.default.svc.cluster.local", DnsType.AAAA).Answers, DnsType.AAAA));
        Assert.Equal(["10.43.0.21"], Data(Answer(zone, "dual.default.svc.cluster.local", DnsType.A).Answers, DnsType.A));
    }

    [Fact]
    public void A_UnknownNameInZone_NxDomainWithTheZoneSoa()
    {
        var zone = Snapshot(ClusterIp("default", "my-svc", "10.43.0.20"));

        var (response, resolution) = Ask(zone, "nope.default.svc.cluster.local", DnsType.A);

        Assert.Equal(DnsResolution.Final, resolution);
        Assert.Equal(DnsResponseCode.NameError, response.ResponseCode);
        Assert.True(response.Authoritative);
        Assert.Empty(response.Answers);
        Assert.Equal("cluster.local.", Assert.Single(response.Authority).Name);
    }

    [Theory]
    [InlineData("default.svc.cluster.local")]
    [InlineData("svc.cluster.local")]
    [InlineData("pod.cluster.local")]
    [InlineData("any-namespace.pod.cluster.local")]
    public void A_NameWithOnlyNamesBelowIt_NoDataNotNxDomain(string name)
    {
        var zone = Snapshot(ClusterIp("default", "my-svc", "10.43.0.20"));

        var response = Answer(zone, name, DnsType.A);

        Assert.Equal(DnsResponseCode.NoError, response.ResponseCode);
        Assert.Empty(response.Answers);
        Assert.Single(response.Authority);
    }

    [Fact]
    public void SearchList_AsAPodInDefaultExpandsShortNames_FirstExistingExpansionAnswers()
    {
        // resolv.conf of a pod in "default": search default.svc.cluster.local svc.cluster.local cluster.local, ndots:5.
        var zone = Snapshot(ClusterIp("default", "my-svc", "10.43.0.20"), ClusterIp("other", "db", "10.43.0.30"));
        string[] search = ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"];

        string? Resolve(string name)
        {
            foreach (var candidate in search.Select(s => name + "." + s).Append(name))
            {
                var response = Answer(zone, candidate, DnsType.A);
                if (response.Answers.Count > 0)
                {
                    return response.Answers[0].Data;
                }

                // glibc and musl go on to the next candidate after NXDOMAIN or NODATA; REFUSED ends the absolute try.
                Assert.Contains(response.ResponseCode, new[] { DnsResponseCode.NameError, DnsResponseCode.NoError, DnsResponseCode.Refused });
            }

            return null;
        }

        Assert.Equal("10.43.0.20", Resolve("my-svc"));
        Assert.Equal("10.43.0.20", Resolve("my-svc.default"));
        Assert.Equal("10.43.0.20", Resolve("my-svc.default.svc"));
        Assert.Equal("10.43.0.30", Resolve("db.other"));
        Assert.Null(Resolve("db"));
        Assert.Null(Resolve("example.com"));
    }

    [Fact]
    public void A_Headless_AnswersReadyEndpointsOnly()
    {
        var zone = Snapshot(Headless("default", "nginx",
            Endpoint("10.42.0.5", "web-0"), Endpoint("10.42.0.6", "web-1"), Endpoint("10.42.0.7", "web-2", ready: false)));

        var response = Answer(zone, "nginx.default.svc.cluster.local", DnsType.A);

        Assert.Equal(["10.42.0.5", "10.42.0.6"], Data(response.Answers, DnsType.A));
    }

    [Fact]
    public void A_HeadlessPublishingNotReadyAddresses_AnswersEveryEndpoint()
    {
        var service = Headless("default", "nginx", Endpoint("10.42.0.5"), Endpoint("10.42.0.7", ready: false)) with { PublishNotReadyAddresses = true };

        var response = Answer(Snapshot(service), "nginx.default.svc.cluster.local", DnsType.A);

        Assert.Equal(["10.42.0.5", "10.42.0.7"], Data(response.Answers, DnsType.A));
    }

    [Fact]
    public void A_HeadlessWithoutReadyEndpoints_NxDomain()
    {
        var zone = Snapshot(Headless("default", "nginx", Endpoint("10.42.0.7", "web-0", ready: false)));

        Assert.Equal(DnsResponseCode.NameError, Answer(zone, "nginx.default.svc.cluster.local", DnsType.A).ResponseCode);
        Assert.Equal(DnsResponseCode.NameError, Answer(zone, "web-0.nginx.default.svc.cluster.local", DnsType.A).ResponseCode);
    }

    [Fact]
    public void A_HeadlessEndpointAddressInTwoSlices_AnsweredOnce()
    {
        var zone = Snapshot(Headless("default", "nginx", Endpoint("10.42.0.5", "web-0"), Endpoint("10.42.0.5", "web-0")));

        Assert.Single(Answer(zone, "nginx.default.svc.cluster.local", DnsType.A).Answers);
        Assert.Single(Answer(zone, "web-0.nginx.default.svc.cluster.local", DnsType.A).Answers);
    }

    [Fact]
    public void A_StatefulSetIdentity_HostnameSubdomainResolvesToThatPod()
    {
        var zone = Snapshot(Headless("default", "nginx", Endpoint("10.42.0.5", "web-0"), Endpoint("10.42.0.6", "web-1")));

        Assert.Equal(["10.42.0.6"], Data(Answer(zone, "web-1.nginx.default.svc.cluster.local", DnsType.A).Answers, DnsType.A));
        Assert.Equal(DnsResponseCode.NameError, Answer(zone, "web-2.nginx.default.svc.cluster.local", DnsType.A).ResponseCode);
    }

    [Fact]
    public void A_EndpointWithoutHostname_NamedByItsDashedAddress()
    {
        var zone = Snapshot(Headless("default", "nginx", Endpoint("10.42.0.5")));

        Assert.Equal(["10.42.0.5"], Data(Answer(zone, "10-42-0-5.nginx.default.svc.cluster.local", DnsType.A).Answers, DnsType.A));
    }

    [Fact]
    public void A_ClusterIpServiceEndpoints_AlsoHaveEndpointNamesAsCoreDnsGivesThem()
    {
        var service = ClusterIp("default", "web", "10.43.0.20") with { Endpoints = [Endpoint("10.42.0.5", "web-0")] };

        var zone = Snapshot(service);

        Assert.Equal(["10.43.0.20"], Data(Answer(zone, "web.default.svc.cluster.local", DnsType.A).Answers, DnsType.A));
        Assert.Equal(["10.42.0.5"], Data(Answer(zone, "web-0.web.default.svc.cluster.local", DnsType.A).Answers, DnsType.A));
    }

    [Fact]
    public void Srv_ClusterIpNamedPort_PointsAtTheServiceWithItsAddressAsAdditionalData()
    {
        var zone = Snapshot(ClusterIp("default", "my-svc", "10.43.0.20", Http, new DnsPort("", "TCP", 81), new DnsPort("dns", "UDP", 53)));

        var http = Answer(zone, "_http._tcp.my-svc.default.svc.cluster.local", DnsType.SRV);
        var dns = Answer(zone, "_dns._udp.my-svc.default.svc.cluster.local", DnsType.SRV);

        Assert.Equal(["0 100 80 my-svc.default.svc.cluster.local."], Data(http.Answers, DnsType.SRV));
        var glue = Assert.Single(http.Additional);
        Assert.Equal("my-svc.default.svc.cluster.local.", glue.Name);
        Assert.Equal("10.43.0.20", glue.Data);
        Assert.Equal(["0 100 53 my-svc.default.svc.cluster.local."], Data(dns.Answers, DnsType.SRV));
        // Unnamed ports have no SRV record; the protocol must match.
        Assert.Equal(DnsResponseCode.NameError, Answer(zone, "_http._udp.my-svc.default.svc.cluster.local", DnsType.SRV).ResponseCode);
    }

    [Fact]
    public void Srv_Headless_OnePerEndpointWithItsPortAndAddress()
    {
        var web = new DnsPort("web", "TCP", 8080);
        var zone = Snapshot(Headless("default", "nginx",
            Endpoint("10.42.0.5", "web-0", ports: web), Endpoint("10.42.0.6", "web-1", ports: web), Endpoint("10.42.0.7", ready: false, ports: web)));

        var response = Answer(zone, "_web._tcp.nginx.default.svc.cluster.local", DnsType.SRV);

        Assert.Equal(["0 50 8080 web-0.nginx.default.svc.cluster.local.", "0 50 8080 web-1.nginx.default.svc.cluster.local."], Data(response.Answers, DnsType.SRV));
        Assert.Equal(
            ["web-0.nginx.default.svc.cluster.local. 10.42.0.5", "web-1.nginx.default.svc.cluster.local. 10.42.0.6"],
            response.Additional.Select(r => r.Name + " " + r.Data).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Ptr_ClusterIpAndEndpointAddresses_NameTheServiceAndTheEndpoint()
    {
        var zone = Snapshot(ClusterIp("default", "my-svc", "10.43.0.20"), Headless("default", "nginx", Endpoint("10.42.0.5", "web-0")));

        Assert.Equal(["my-svc.default.svc.cluster.local."], Data(Answer(zone, "20.0.43.10.in-addr.arpa", DnsType.PTR).Answers, DnsType.PTR));
        Assert.Equal(["web-0.nginx.default.svc.cluster.local."], Data(Answer(zone, "5.0.42.10.in-addr.arpa", DnsType.PTR).Answers, DnsType.PTR));
    }

    [Fact]
    public void Ptr_Ipv6ClusterIp_NibbleFormat()
    {
        var zone = Snapshot(new DnsService { Namespace = "default", Name = "v6", ClusterIPs = [IPAddress.Parse("fd00:43::21")] });
        var key = DnsSnapshotBuilder.ReverseKey(IPAddress.Parse("fd00:43::21"));

        Assert.Equal("1.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.4.0.0.0.0.d.f.ip6.arpa", key);
        Assert.Equal(["v6.default.svc.cluster.local."], Data(Answer(zone, key, DnsType.PTR).Answers, DnsType.PTR));
    }

    [Fact]
    public void Ptr_UnknownAddress_NxDomainThatAnUpstreamMayAnswerInstead()
    {
        var (response, resolution) = Ask(Snapshot(), "9.9.9.10.in-addr.arpa", DnsType.PTR);

        Assert.Equal(DnsResponseCode.NameError, response.ResponseCode);
        Assert.Equal(DnsResolution.Forwardable, resolution);
        Assert.Equal("in-addr.arpa.", Assert.Single(response.Authority).Name);
    }

    [Fact]
    public void ExternalName_AnyType_CnameToTheAlias()
    {
        var zone = Snapshot(new DnsService { Namespace = "default", Name = "ext", Kind = DnsServiceKind.ExternalName, ExternalName = "www.example.com." });

        var a = Answer(zone, "ext.default.svc.cluster.local", DnsType.A);
        var cname = Answer(zone, "ext.default.svc.cluster.local", DnsType.CNAME);

        var record = Assert.Single(a.Answers);
        Assert.Equal(DnsType.CNAME, record.Type);
        Assert.Equal("www.example.com.", record.Data);
        Assert.Equal(["www.example.com."], Data(cname.Answers, DnsType.CNAME));
    }

    [Fact]
    public void ExternalName_NamingAnotherService_FollowedInsideTheZone()
    {
        var zone = Snapshot(
            new DnsService { Namespace = "default", Name = "alias", Kind = DnsServiceKind.ExternalName, ExternalName = "db.other.svc.cluster.local" },
            ClusterIp("other", "db", "10.43.0.30"));

        var response = Answer(zone, "alias.default.svc.cluster.local", DnsType.A);

        Assert.Equal(2, response.Answers.Count);
        Assert.Equal("db.other.svc.cluster.local.", response.Answers[0].Data);
        Assert.Equal("db.other.svc.cluster.local.", response.Answers[1].Name);
        Assert.Equal("10.43.0.30", response.Answers[1].Data);
    }

    [Fact]
    public void ExternalName_LoopOfAliases_StopsAfterAFewSteps()
    {
        var zone = Snapshot(
            new DnsService { Namespace = "default", Name = "a", Kind = DnsServiceKind.ExternalName, ExternalName = "b.default.svc.cluster.local" },
            new DnsService { Namespace = "default", Name = "b", Kind = DnsServiceKind.ExternalName, ExternalName = "a.default.svc.cluster.local" });

        var response = Answer(zone, "a.default.svc.cluster.local", DnsType.A, limit: 65535);

        Assert.Equal(DnsResponseCode.NoError, response.ResponseCode);
        Assert.InRange(response.Answers.Count, 2, 10);
        Assert.All(response.Answers, r => Assert.Equal(DnsType.CNAME, r.Type));
    }

    [Theory]
    [InlineData("10-42-0-5.default.pod.cluster.local", DnsType.A, "10.42.0.5")]
    [InlineData("10-42-0-5.anywhere.pod.cluster.local", DnsType.A, "10.42.0.5")]
    [InlineData("fd00-42--5.default.pod.cluster.local", DnsType.AAAA, "fd00:42::5")]
    public void PodName_WellFormedAddress_AnsweredFromTheName(string name, ushort type, string address)
    {
        var response = Answer(Snapshot(), name, type);

        Assert.Equal([address], Data(response.Answers, type));
    }

    [Theory]
    [InlineData("10-42-0.default.pod.cluster.local")]
    [InlineData("10-42-0-256.default.pod.cluster.local")]
    [InlineData("10-42-0-05x.default.pod.cluster.local")]
    [InlineData("web.default.pod.cluster.local")]
    [InlineData("10-42-0-5.a.b.pod.cluster.local")]
    public void PodName_NotAnAddress_NxDomain(string name)
    {
        Assert.Equal(DnsResponseCode.NameError, Answer(Snapshot(), name, DnsType.A).ResponseCode);
    }

    [Fact]
    public void PodName_Ipv4AskedForAaaa_NoData()
    {
        var response = Answer(Snapshot(), "10-42-0-5.default.pod.cluster.local", DnsType.AAAA);

        Assert.Equal(DnsResponseCode.NoError, response.ResponseCode);
        Assert.Empty(response.Answers);
    }

    [Fact]
    public void OutsideTheZone_RefusedAndForwardable()
    {
        var (response, resolution) = Ask(Snapshot(), "example.com", DnsType.A);

        Assert.Equal(DnsResponseCode.Refused, response.ResponseCode);
        Assert.Equal(DnsResolution.Forwardable, resolution);
        Assert.False(response.Authoritative);
    }

    [Fact]
    public void InZone_BeforeTheFirstSnapshot_ServerFailureNotANegativeAnswer()
    {
        var (response, resolution) = Ask(null, "my-svc.default.svc.cluster.local", DnsType.A);

        Assert.Equal(DnsResponseCode.ServerFailure, response.ResponseCode);
        Assert.Equal(DnsResolution.Final, resolution);
    }

    [Fact]
    public void ChaosClass_Refused()
    {
        var query = new DnsQuery();
        query.Parse(DnsMessage.BuildQuery(1, "version.bind", DnsType.TXT, @class: 3));
        var answer = new DnsAnswer();

        new DnsResolver(Zone).Resolve(Snapshot(), query, answer);

        Assert.Equal(DnsResponseCode.Refused, answer.Code);
    }

    [Fact]
    public void Apex_SoaNsAndSchemaVersion()
    {
        var zone = Snapshot();

        Assert.Equal(["ns.dns.cluster.local. hostmaster.cluster.local. 42 7200 1800 86400 5"], Data(Answer(zone, "cluster.local", DnsType.SOA).Answers, DnsType.SOA));
        Assert.Equal(["ns.dns.cluster.local."], Data(Answer(zone, "cluster.local", DnsType.NS).Answers, DnsType.NS));
        Assert.Equal(["\"1.0.1\""], Data(Answer(zone, "dns-version.cluster.local", DnsType.TXT).Answers, DnsType.TXT));
    }

    [Fact]
    public void CustomDomain_ServesThatZoneAndRefusesClusterLocal()
    {
        var zone = new DnsZoneOptions { Domain = "corp.internal.", Ttl = 30 };
        var snapshot = DnsSnapshotBuilder.Build(zone, [ClusterIp("default", "my-svc", "10.43.0.20")], 1);

        var found = Ask(snapshot, "my-svc.default.svc.corp.internal", DnsType.A, zone: zone).Response;
        var other = Ask(snapshot, "my-svc.default.svc.cluster.local", DnsType.A, zone: zone).Response;

        Assert.Equal(30u, Assert.Single(found.Answers).Ttl);
        Assert.Equal(DnsResponseCode.Refused, other.ResponseCode);
    }

    [Fact]
    public void Any_ReturnsEveryRecordOfTheName()
    {
        var zone = Snapshot(new DnsService { Namespace = "default", Name = "dual", ClusterIPs = [IPAddress.Parse("10.43.0.21"), IPAddress.Parse("fd00:43::21")] });

        Assert.Equal(2, Answer(zone, "dual.default.svc.cluster.local", DnsType.ANY).Answers.Count);
    }

    [Fact]
    public void Udp_AnswerLargerThan512_TruncatedWithWholeRecordsAndTcSet()
    {
        var endpoints = Enumerable.Range(1, 100).Select(i => Endpoint($"10.42.1.{i}")).ToArray();
        var zone = Snapshot(Headless("default", "big", endpoints));

        var udp = Answer(zone, "big.default.svc.cluster.local", DnsType.A);
        var edns = Answer(zone, "big.default.svc.cluster.local", DnsType.A, ednsUdpSize: 4096);
        var tcp = Answer(zone, "big.default.svc.cluster.local", DnsType.A, limit: 65535);

        Assert.True(udp.Truncated);
        // 512 - header 12 - question 35 = 465 bytes, 16 per A record.
        Assert.Equal(29, udp.Answers.Count);
        Assert.True(edns.Truncated);
        Assert.Equal(1232, edns.EdnsUdpSize);
        Assert.InRange(edns.Answers.Count, 30, 99);
        Assert.False(tcp.Truncated);
        Assert.Equal(100, tcp.Answers.Count);
    }

    [Fact]
    public void Snapshot_NamesTooLongForDns_LeftOutAndTheRestServed()
    {
        // A 127-character domain leaves room for short Service names only.
        var zone = new DnsZoneOptions { Domain = new string('x', 60) + "." + new string('y', 60) + ".local" };
        var longName = new string('a', 63);

        var snapshot = DnsSnapshotBuilder.Build(zone, [ClusterIp(longName, longName, "10.43.0.21"), ClusterIp("default", "ok", "10.43.0.20")], 1);

        Assert.Equal(2, snapshot.Services);
        Assert.False(snapshot.TryGet($"{longName}.{longName}.svc.{zone.Key}", out _));
        Assert.Equal(["10.43.0.20"], Data(Ask(snapshot, "ok.default.svc." + zone.Key, DnsType.A, zone: zone).Response.Answers, DnsType.A));
        // The cluster IP of the left-out Service has no PTR pointing at a name that cannot exist.
        Assert.Equal(DnsResponseCode.NameError, Ask(snapshot, "21.0.43.10.in-addr.arpa", DnsType.PTR, zone: zone).Response.ResponseCode);
    }
}
