using k8s.Models;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.ServiceLoadBalancer;

/// <summary>
/// The built-in load balancer (k3s's service load balancer without its pods): a LoadBalancer
/// Service is reachable on every ready node's address, so its ingress is those addresses. The
/// node-side proxy answers on them. Services with a <c>loadBalancerClass</c> belong to another
/// implementation and are left alone. Pure.
/// </summary>
public static class LoadBalancerLogic
{
    /// <summary>Nodes with this label are never a load balancer's address (upstream's convention).</summary>
    public const string ExcludeLabel = "node.kubernetes.io/exclude-from-external-load-balancers";

    public static bool Handles(V1Service service) =>
        service.Spec?.Type == "LoadBalancer" && string.IsNullOrEmpty(service.Spec.LoadBalancerClass);

    /// <summary>The ingress the Service should show: the InternalIPs of ready nodes, sorted.</summary>
    public static List<V1LoadBalancerIngress> DesiredIngress(IEnumerable<V1Node> nodes) =>
    [
        .. nodes
            .Where(n => n.Metadata?.Labels?.ContainsKey(ExcludeLabel) != true && IsReady(n))
            .SelectMany(n => n.Status?.Addresses ?? [])
            .Where(a => a.Type == "InternalIP" && !string.IsNullOrEmpty(a.Address))
            .Select(a => a.Address)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .Select(ip => new V1LoadBalancerIngress { Ip = ip, IpMode = "VIP" }),
    ];

    /// <summary>The new status when it differs from the current one, else null.</summary>
    public static V1LoadBalancerStatus? StatusChange(V1Service service, IEnumerable<V1Node> nodes)
    {
        if (!Handles(service))
        {
            return null;
        }

        var desired = DesiredIngress(nodes);
        return SemanticEquality.Equal(service.Status?.LoadBalancer?.Ingress, desired)
            ? null
            : new V1LoadBalancerStatus { Ingress = desired };
    }

    private static bool IsReady(V1Node node) =>
        node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status == "True";
}
