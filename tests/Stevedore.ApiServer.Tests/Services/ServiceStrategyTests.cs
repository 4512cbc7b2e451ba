using System.Text.Json.Nodes;
using Stevedore.ApiServer.Services;

namespace Stevedore.ApiServer.Tests.Services;

public sealed class ServiceStrategyTests
{
    private static JsonObject Svc(string spec) => new() { ["metadata"] = new JsonObject { ["name"] = "s" }, ["spec"] = JsonNode.Parse(spec) };

    private static JsonObject Update(string oldSpec, string newSpec)
    {
        var desired = Svc(newSpec);
        ServiceStrategy.PrepareForUpdate(desired, Svc(oldSpec));
        return desired["spec"]!.AsObject();
    }

    [Theory]
    // A replace that leaves allocated values out keeps them.
    [InlineData("""{"type":"NodePort","clusterIP":"10.43.1.1","clusterIPs":["10.43.1.1"],"ports":[{"name":"a","port":80,"nodePort":30500}]}""",
        """{"type":"NodePort","ports":[{"name":"a","port":80}]}""", "10.43.1.1", 30500L)]
    // Switching to ClusterIP without touching node ports drops them (they are then freed).
    [InlineData("""{"type":"NodePort","clusterIP":"10.43.1.1","clusterIPs":["10.43.1.1"],"ports":[{"name":"a","port":80,"nodePort":30500}]}""",
        """{"type":"ClusterIP","clusterIP":"10.43.1.1","clusterIPs":["10.43.1.1"],"ports":[{"name":"a","port":80,"nodePort":30500}]}""", "10.43.1.1", 0L)]
    // Switching to ExternalName drops the cluster IP the client did not change.
    [InlineData("""{"type":"ClusterIP","clusterIP":"10.43.1.1","clusterIPs":["10.43.1.1"],"ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","ports":[{"port":80}]}""",
        """{"type":"ExternalName","externalName":"x.example","clusterIP":"10.43.1.1","clusterIPs":["10.43.1.1"],"ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","ports":[{"port":80}]}""", null, 0L)]
    // A renamed port does not inherit another port's node port.
    [InlineData("""{"type":"NodePort","clusterIP":"10.43.1.1","clusterIPs":["10.43.1.1"],"ports":[{"name":"a","port":80,"nodePort":30500}]}""",
        """{"type":"NodePort","clusterIP":"10.43.1.1","ports":[{"name":"b","port":80}]}""", "10.43.1.1", 0L)]
    // An old client that sends only the singular field keeps the plural one.
    [InlineData("""{"type":"ClusterIP","clusterIP":"10.43.1.1","clusterIPs":["10.43.1.1"],"ports":[{"port":80}]}""",
        """{"type":"ClusterIP","clusterIP":"10.43.1.1","ports":[{"port":80}]}""", "10.43.1.1", 0L)]
    public void PrepareForUpdate_CarriesOverOrDropsAllocatedValues(string oldSpec, string newSpec, string? clusterIP, long nodePort)
    {
        var spec = Update(oldSpec, newSpec);
        Assert.Equal(clusterIP, spec["clusterIP"]?.ToString());
        Assert.Equal(clusterIP is null ? null : $"[\"{clusterIP}\"]", spec["clusterIPs"]?.ToJsonString());
        Assert.Equal(nodePort, spec["ports"]?[0]?["nodePort"]?.GetValue<long>() ?? 0);
    }

    [Fact]
    public void PrepareForUpdate_LeavingLoadBalancer_ClearsItsStatusAndHealthCheckPort()
    {
        var current = Svc("""{"type":"LoadBalancer","externalTrafficPolicy":"Local","healthCheckNodePort":30600,"allocateLoadBalancerNodePorts":true,"clusterIP":"10.43.1.1","clusterIPs":["10.43.1.1"],"ports":[{"port":80,"nodePort":30601}]}""");
        current["status"] = JsonNode.Parse("""{"loadBalancer":{"ingress":[{"ip":"192.168.1.10"}]}}""");
        var desired = (JsonObject)current.DeepClone();
        desired["spec"]!["type"] = "NodePort";
        ServiceStrategy.PrepareForUpdate(desired, current);
        Assert.Equal("""{"loadBalancer":{}}""", desired["status"]!.ToJsonString());
        Assert.Null(desired["spec"]!["healthCheckNodePort"]);
        Assert.Null(desired["spec"]!["allocateLoadBalancerNodePorts"]);
        Assert.Equal(30601, desired["spec"]!["ports"]![0]!["nodePort"]!.GetValue<long>());
    }

    [Fact]
    public void PrepareForCreate_SingularClusterIP_FillsThePluralAndEmptiesStatus()
    {
        var svc = Svc("""{"clusterIP":"10.43.0.9"}""");
        svc["status"] = JsonNode.Parse("""{"loadBalancer":{"ingress":[{"ip":"1.2.3.4"}]}}""");
        ServiceStrategy.PrepareForCreate(svc);
        Assert.Equal("""["10.43.0.9"]""", svc["spec"]!["clusterIPs"]!.ToJsonString());
        Assert.Equal("""{"loadBalancer":{}}""", svc["status"]!.ToJsonString());
    }
}
