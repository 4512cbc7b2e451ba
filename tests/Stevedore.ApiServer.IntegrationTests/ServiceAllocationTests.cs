using System.Net;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.IntegrationTests;

/// <summary>Cluster IP and node port allocation over HTTP, against the shared server (10.43.0.0/16, 30000-32767).</summary>
/// <remarks>
/// Tests that request a specific value take it from the ranges' lower bands (10.43.0.2-10.43.0.255,
/// 30000-30085), which dynamic allocation never uses while the upper bands have room, and each test
/// uses its own values, so parallel tests do not collide.
/// </remarks>
[Collection(ApiServerCollection.Name)]
public sealed class ServiceAllocationTests(ApiServerFixture server)
{
    internal static string Service(string name, string type = "ClusterIP", string? clusterIP = null, long? nodePort = null, string extraSpec = "") =>
        new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = Spec(type, clusterIP, nodePort, extraSpec),
        }.ToJsonString();

    private static JsonObject Spec(string type, string? clusterIP, long? nodePort, string extraSpec)
    {
        var spec = JsonNode.Parse("{" + extraSpec + "}")!.AsObject();
        spec["type"] = type;
        if (clusterIP is not null)
        {
            spec["clusterIP"] = clusterIP;
        }

        if (type != "ExternalName" && !spec.ContainsKey("ports"))
        {
            var port = new JsonObject { ["port"] = 80, ["targetPort"] = 8080 };
            if (nodePort is not null)
            {
                port["nodePort"] = nodePort;
            }

            spec["ports"] = new JsonArray(port);
        }

        return spec;
    }

    private static string ClusterIP(JsonObject service) => service["spec"]!["clusterIP"]?.ToString() ?? "";

    private static long NodePort(JsonObject service, int index = 0) => service["spec"]!["ports"]![index]!["nodePort"]?.GetValue<long>() ?? 0;

    [Fact]
    public async Task Create_WithoutClusterIP_AllocatesFromTheUpperPartOfTheRangeWithFamilyDefaults()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, svc) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("web"));
        Assert.Equal(HttpStatusCode.Created, code);
        var ip = IPAddress.Parse(ClusterIP(svc));
        var bytes = ip.GetAddressBytes();
        Assert.Equal([10, 43], bytes[..2]);
        Assert.True(bytes[2] > 0, $"{ip} should come from above the static band 10.43.0.0/24");
        Assert.Equal(new JsonArray(ip.ToString()).ToJsonString(), svc["spec"]!["clusterIPs"]!.ToJsonString());
        Assert.Equal("""["IPv4"]""", svc["spec"]!["ipFamilies"]!.ToJsonString());
        Assert.Equal("SingleStack", svc["spec"]!["ipFamilyPolicy"]!.ToString());
        Assert.Equal("""{"loadBalancer":{}}""", svc["status"]!.ToJsonString());
        Assert.Null(svc["spec"]!["ports"]![0]!["nodePort"]);
    }

    [Fact]
    public async Task KubernetesService_AtStart_HasTheFirstIPAndPointsAtTheServer()
    {
        var (code, svc) = await server.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/services/kubernetes");
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("10.43.0.1", ClusterIP(svc));
        var port = svc["spec"]!["ports"]![0]!;
        Assert.Equal("https", port["name"]!.ToString());
        Assert.Equal(443, port["port"]!.GetValue<int>());
        Assert.Equal(server.Host.Address.Port, port["targetPort"]!.GetValue<int>());

        var (_, endpoints) = await server.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/endpoints/kubernetes");
        Assert.Equal("127.0.0.1", endpoints["subsets"]![0]!["addresses"]![0]!["ip"]!.ToString());
        Assert.Equal(server.Host.Address.Port, endpoints["subsets"]![0]!["ports"]![0]!["port"]!.GetValue<int>());

        var (_, slice) = await server.SendAsync(HttpMethod.Get, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes");
        Assert.Equal("kubernetes", slice["metadata"]!["labels"]!["kubernetes.io/service-name"]!.ToString());
        Assert.Equal("127.0.0.1", slice["endpoints"]![0]!["addresses"]![0]!.ToString());
        Assert.Equal(server.Host.Address.Port, slice["ports"]![0]!["port"]!.GetValue<int>());
    }

    [Fact]
    public async Task Create_RequestedIPOutsideTheRange_Is422WithUpstreamMessageAndAllocatesNothing()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("far", clusterIP: "10.99.0.1"));
        Assert.Equal((HttpStatusCode)422, code);
        Assert.Equal("Invalid", status["reason"]!.ToString());
        Assert.Equal(
            "Service \"far\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.99.0.1\"}: failed to allocate IP 10.99.0.1: the provided IP (10.99.0.1) is not in the valid range. The range of valid IPs is 10.43.0.0/16",
            status["message"]!.ToString());
        Assert.Equal("spec.clusterIPs", status["details"]!["causes"]![0]!["field"]!.ToString());
        var (getCode, _) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/services/far");
        Assert.Equal(HttpStatusCode.NotFound, getCode);
    }

    [Fact]
    public async Task Create_RequestedIPTaken_Is422AlreadyAllocated_AndTheIPIsReusableAfterDelete()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, first) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("first", clusterIP: "10.43.0.21"));
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal("10.43.0.21", ClusterIP(first));

        var (takenCode, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("second", clusterIP: "10.43.0.21"));
        Assert.Equal((HttpStatusCode)422, takenCode);
        Assert.Equal(
            "Service \"second\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.43.0.21\"}: failed to allocate IP 10.43.0.21: provided IP is already allocated",
            status["message"]!.ToString());

        var (deleteCode, _) = await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/services/first");
        Assert.Equal(HttpStatusCode.OK, deleteCode);
        var (againCode, again) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("second", clusterIP: "10.43.0.21"));
        Assert.Equal(HttpStatusCode.Created, againCode);
        Assert.Equal("10.43.0.21", ClusterIP(again));
    }

    [Fact]
    public async Task Create_Headless_GetsNoIP()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, svc) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("db", clusterIP: "None", extraSpec: "\"selector\":{\"app\":\"db\"}"));
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal("None", ClusterIP(svc));
        Assert.Equal("""["None"]""", svc["spec"]!["clusterIPs"]!.ToJsonString());
        Assert.Equal("""["IPv4"]""", svc["spec"]!["ipFamilies"]!.ToJsonString());
    }

    [Fact]
    public async Task Create_HeadlessWithoutSelector_ListsBothFamiliesAsUpstream()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, svc) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("ext", clusterIP: "None"));
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal("RequireDualStack", svc["spec"]!["ipFamilyPolicy"]!.ToString());
        Assert.Equal("""["IPv4","IPv6"]""", svc["spec"]!["ipFamilies"]!.ToJsonString());
    }

    [Fact]
    public async Task Create_ExternalName_HasNoClusterIPOrFamilies()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, svc) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("alias", type: "ExternalName", extraSpec: "\"externalName\":\"db.example.com\""));
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Null(svc["spec"]!["clusterIP"]);
        Assert.Null(svc["spec"]!["clusterIPs"]);
        Assert.Null(svc["spec"]!["ipFamilies"]);
    }

    [Fact]
    public async Task Create_RequireDualStack_Is422NotConfigured()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("dual", extraSpec: "\"ipFamilyPolicy\":\"RequireDualStack\""));
        Assert.Equal((HttpStatusCode)422, code);
        Assert.Contains("spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services", status["message"]!.ToString());
    }

    [Fact]
    public async Task Create_NodePort_AllocatesInRangeAndHonoursRequests()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, auto) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("auto", type: "NodePort"));
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.InRange(NodePort(auto), 30086, 32767);
        Assert.Equal("Cluster", auto["spec"]!["externalTrafficPolicy"]!.ToString());

        var (requestedCode, requested) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("fixed", type: "NodePort", nodePort: 30011));
        Assert.Equal(HttpStatusCode.Created, requestedCode);
        Assert.Equal(30011, NodePort(requested));
    }

    [Fact]
    public async Task Create_NodePortOutOfRange_Is422WithUpstreamMessage()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("high", type: "NodePort", nodePort: 40000));
        Assert.Equal((HttpStatusCode)422, code);
        Assert.Equal(
            "Service \"high\" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767",
            status["message"]!.ToString());
    }

    [Fact]
    public async Task Create_NodePortTaken_Is422AlreadyAllocated_AndNothingIsAllocated()
    {
        var ns = await server.CreateNamespaceAsync();
        Assert.Equal(HttpStatusCode.Created, (await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("one", type: "NodePort", nodePort: 30012))).Code);
        var twoPorts = "\"ports\":[{\"name\":\"a\",\"port\":80,\"nodePort\":30013},{\"name\":\"b\",\"port\":81,\"nodePort\":30012}]";
        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("two", type: "NodePort", clusterIP: "10.43.0.22", extraSpec: twoPorts));
        Assert.Equal((HttpStatusCode)422, code);
        Assert.Equal(
            "Service \"two\" is invalid: spec.ports[1].nodePort: Invalid value: 30012: provided port is already allocated",
            status["message"]!.ToString());

        // The failed create held nothing: its IP and its first port are free.
        var retry = "\"ports\":[{\"name\":\"a\",\"port\":80,\"nodePort\":30013}]";
        var (retryCode, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("three", type: "NodePort", clusterIP: "10.43.0.22", extraSpec: retry));
        Assert.Equal(HttpStatusCode.Created, retryCode);
        Assert.Equal(30013, NodePort(created));
    }

    [Fact]
    public async Task Create_SamePortOverTcpAndUdp_SharesOneNodePort()
    {
        var ns = await server.CreateNamespaceAsync();
        var ports = "\"ports\":[{\"name\":\"dns-tcp\",\"port\":53,\"protocol\":\"TCP\"},{\"name\":\"dns-udp\",\"port\":53,\"protocol\":\"UDP\"}]";
        var (code, svc) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("dns", type: "NodePort", extraSpec: ports));
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal(NodePort(svc, 0), NodePort(svc, 1));
    }

    [Fact]
    public async Task Create_LoadBalancerWithLocalTrafficPolicy_GetsNodePortsAndHealthCheckNodePort()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, svc) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("lb", type: "LoadBalancer", extraSpec: "\"externalTrafficPolicy\":\"Local\""));
        Assert.Equal(HttpStatusCode.Created, code);
        var healthCheck = svc["spec"]!["healthCheckNodePort"]!.GetValue<long>();
        Assert.InRange(healthCheck, 30000, 32767);
        Assert.InRange(NodePort(svc), 30000, 32767);
        Assert.NotEqual(healthCheck, NodePort(svc));
        Assert.True(svc["spec"]!["allocateLoadBalancerNodePorts"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Create_LoadBalancerWithoutNodePortAllocation_GetsNoNodePort()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, svc) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("lb", type: "LoadBalancer", extraSpec: "\"allocateLoadBalancerNodePorts\":false"));
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal(0, NodePort(svc));
    }

    [Fact]
    public async Task Patch_ClusterIPToNodePortAndBack_AllocatesThenReleasesTheNodePort()
    {
        var ns = await server.CreateNamespaceAsync();
        var (_, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("flip"));
        var ip = ClusterIP(created);

        var (code, nodePortService) = await server.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/services/flip", """{"spec":{"type":"NodePort"}}""", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, code);
        var nodePort = NodePort(nodePortService);
        Assert.InRange(nodePort, 30000, 32767);
        Assert.Equal(ip, ClusterIP(nodePortService));

        var (backCode, back) = await server.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/services/flip", """{"spec":{"type":"ClusterIP"}}""", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, backCode);
        Assert.Equal(0, NodePort(back));
        Assert.Null(back["spec"]!["externalTrafficPolicy"]);

        // The released port can be requested by another Service at once.
        var (takeCode, taker) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("taker", type: "NodePort", nodePort: nodePort));
        Assert.Equal(HttpStatusCode.Created, takeCode);
        Assert.Equal(nodePort, NodePort(taker));
    }

    [Fact]
    public async Task Patch_ToExternalName_ReleasesTheClusterIP()
    {
        var ns = await server.CreateNamespaceAsync();
        var (_, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("named", clusterIP: "10.43.0.23"));
        Assert.Equal("10.43.0.23", ClusterIP(created));

        var (code, external) = await server.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/services/named",
            """{"spec":{"type":"ExternalName","externalName":"db.example.com"}}""", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Null(external["spec"]!["clusterIP"]);
        Assert.Null(external["spec"]!["ipFamilies"]);

        var (takeCode, _) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("taker", clusterIP: "10.43.0.23"));
        Assert.Equal(HttpStatusCode.Created, takeCode);
    }

    [Fact]
    public async Task Replace_WithoutAllocatedValues_KeepsThem()
    {
        var ns = await server.CreateNamespaceAsync();
        var (_, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("keep", type: "NodePort"));
        var body = Service("keep", type: "NodePort");
        var (code, replaced) = await server.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/services/keep", body);
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal(ClusterIP(created), ClusterIP(replaced));
        Assert.Equal(NodePort(created), NodePort(replaced));
    }

    [Fact]
    public async Task ServerSideApply_Twice_KeepsTheAllocatedValues()
    {
        var ns = await server.CreateNamespaceAsync();
        static string Applied(int port) => $$$"""{"apiVersion":"v1","kind":"Service","metadata":{"name":"applied"},"spec":{"type":"NodePort","selector":{"app":"a"},"ports":[{"name":"http","port":{{{port}}}}]}}""";
        var path = $"/api/v1/namespaces/{ns}/services/applied?fieldManager=tester";
        var (code, first) = await server.SendAsync(HttpMethod.Patch, path, Applied(80), "application/apply-patch+yaml");
        Assert.True(code is HttpStatusCode.OK or HttpStatusCode.Created, first.ToJsonString());
        var (againCode, second) = await server.SendAsync(HttpMethod.Patch, path, Applied(81), "application/apply-patch+yaml");
        Assert.Equal(HttpStatusCode.OK, againCode);
        Assert.Equal(ClusterIP(first), ClusterIP(second));
        Assert.Equal(NodePort(first), NodePort(second));
        Assert.Equal(81, second["spec"]!["ports"]![0]!["port"]!.GetValue<int>());
    }

    [Fact]
    public async Task SessionAffinity_TimeoutOutOfRangeIs422_AndTurningItOffDropsTheConfig()
    {
        var ns = await server.CreateNamespaceAsync();
        var bad = "\"sessionAffinity\":\"ClientIP\",\"sessionAffinityConfig\":{\"clientIP\":{\"timeoutSeconds\":0}}";
        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("sticky", extraSpec: bad));
        Assert.Equal((HttpStatusCode)422, code);
        Assert.Contains("spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400", status["message"]!.ToString());

        var (createdCode, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("sticky", extraSpec: "\"sessionAffinity\":\"ClientIP\""));
        Assert.Equal(HttpStatusCode.Created, createdCode);
        Assert.Equal(10800, created["spec"]!["sessionAffinityConfig"]!["clientIP"]!["timeoutSeconds"]!.GetValue<int>());
        var (offCode, off) = await server.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/services/sticky", """{"spec":{"sessionAffinity":"None"}}""", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, offCode);
        Assert.Null(off["spec"]!["sessionAffinityConfig"]);
    }

    [Fact]
    public async Task Update_ChangingTheClusterIP_Is422()
    {
        var ns = await server.CreateNamespaceAsync();
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("fixed", clusterIP: "10.43.0.24"));
        var (code, status) = await server.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/services/fixed",
            """{"spec":{"clusterIP":"10.43.0.25","clusterIPs":["10.43.0.25"]}}""", "application/merge-patch+json");
        Assert.Equal((HttpStatusCode)422, code);
        Assert.Contains("may not change once set", status["message"]!.ToString());
    }

    [Fact]
    public async Task Create_DryRun_ReturnsTheRequestedValuesButAllocatesNothing()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, dry) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services?dryRun=All", Service("dry", type: "NodePort", clusterIP: "10.43.0.26", nodePort: 30014));
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal("10.43.0.26", ClusterIP(dry));
        Assert.Equal(30014, NodePort(dry));

        var (dryAutoCode, dryAuto) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services?dryRun=All", Service("dry-auto", type: "NodePort"));
        Assert.Equal(HttpStatusCode.Created, dryAutoCode);
        Assert.True(IPAddress.TryParse(ClusterIP(dryAuto), out _));

        var (realCode, _) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("real", type: "NodePort", clusterIP: "10.43.0.26", nodePort: 30014));
        Assert.Equal(HttpStatusCode.Created, realCode);

        // A dry run still reports what a real create would be refused for.
        var (takenCode, _) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services?dryRun=All", Service("dry2", clusterIP: "10.43.0.26"));
        Assert.Equal((HttpStatusCode)422, takenCode);
    }

    [Fact]
    public async Task Delete_DryRun_KeepsTheAllocation()
    {
        var ns = await server.CreateNamespaceAsync();
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("stay", clusterIP: "10.43.0.27"));
        var (code, _) = await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/services/stay?dryRun=All");
        Assert.Equal(HttpStatusCode.OK, code);
        var (takenCode, _) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("other", clusterIP: "10.43.0.27"));
        Assert.Equal((HttpStatusCode)422, takenCode);
    }

    [Fact]
    public async Task Create_HealthCheckNodePortOnClusterIP_Is422()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("hc", extraSpec: "\"healthCheckNodePort\":30015"));
        Assert.Equal((HttpStatusCode)422, code);
        Assert.Contains("spec.healthCheckNodePort: Invalid value: 30015: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'", status["message"]!.ToString());
    }

    [Fact]
    public async Task Table_ForServices_ShowsAllocatedIPAndNodePort()
    {
        var ns = await server.CreateNamespaceAsync();
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/services", Service("shown", type: "NodePort", clusterIP: "10.43.0.28", nodePort: 30016));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/services");
        request.Headers.Accept.ParseAdd("application/json;as=Table;v=v1;g=meta.k8s.io");
        using var response = await server.Client.SendAsync(request);
        var table = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var columns = table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.ToString()).ToList();
        var cells = table["rows"]![0]!["cells"]!.AsArray();
        Assert.Equal("10.43.0.28", cells[columns.IndexOf("Cluster-IP")]!.ToString());
        Assert.Equal("<none>", cells[columns.IndexOf("External-IP")]!.ToString());
        Assert.Equal("80:30016/TCP", cells[columns.IndexOf("Port(s)")]!.ToString());
    }
}
