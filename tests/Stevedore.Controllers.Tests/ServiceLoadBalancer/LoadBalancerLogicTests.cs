using k8s.Models;
using Stevedore.Controllers.ServiceLoadBalancer;
using Stevedore.Controllers.Tests.Endpoints;

namespace Stevedore.Controllers.Tests.ServiceLoadBalancer;

public sealed class LoadBalancerLogicTests
{
    private static V1Node Node(string name, string ip, bool ready = true, bool excluded = false) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = excluded ? new Dictionary<string, string> { [LoadBalancerLogic.ExcludeLabel] = "" } : null },
        Status = new V1NodeStatus
        {
            Addresses = [new V1NodeAddress { Type = "InternalIP", Address = ip }, new V1NodeAddress { Type = "Hostname", Address = name }],
            Conditions = [new V1NodeCondition { Type = "Ready", Status = ready ? "True" : "Unknown" }],
        },
    };

    [Fact]
    public void DesiredIngress_ReadyNotExcludedNodes_SortedInternalIPs()
    {
        var ingress = LoadBalancerLogic.DesiredIngress([Node("b", "192.168.0.20"), Node("a", "192.168.0.10"), Node("c", "192.168.0.30", ready: false), Node("d", "192.168.0.40", excluded: true)]);
        Assert.Equal(["192.168.0.10", "192.168.0.20"], ingress.Select(i => i.Ip));
        Assert.All(ingress, i => Assert.Equal("VIP", i.IpMode));
    }

    [Fact]
    public void StatusChange_OnlyForLoadBalancersWithoutClass_AndOnlyWhenDifferent()
    {
        var nodes = new[] { Node("a", "192.168.0.10") };
        var lb = ServiceBuild.Service(type: "LoadBalancer");
        var change = LoadBalancerLogic.StatusChange(lb, nodes);
        Assert.Equal("192.168.0.10", Assert.Single(change!.Ingress).Ip);

        lb.Status = new V1ServiceStatus { LoadBalancer = change };
        Assert.Null(LoadBalancerLogic.StatusChange(lb, nodes));

        var classed = ServiceBuild.Service(type: "LoadBalancer");
        classed.Spec.LoadBalancerClass = "example.com/other";
        Assert.Null(LoadBalancerLogic.StatusChange(classed, nodes));
        Assert.Null(LoadBalancerLogic.StatusChange(ServiceBuild.Service(type: "NodePort"), nodes));
    }
}
