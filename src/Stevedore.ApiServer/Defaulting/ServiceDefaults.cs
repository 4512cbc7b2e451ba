using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Defaulting;

/// <summary>
/// Upstream Service defaults, including the IP family fields the registry fills on a
/// single-stack IPv4 cluster. Cluster IP and node port allocation are the registry's job.
/// </summary>
internal static class ServiceDefaults
{
    public static void Apply(JsonObject service)
    {
        var spec = service.Ensure("spec");
        spec.Default("type", "ClusterIP");
        spec.Default("sessionAffinity", "None");
        var type = spec.Str("type");
        if (spec.Str("sessionAffinity") == "ClientIP")
        {
            spec.Ensure("sessionAffinityConfig").Ensure("clientIP").Default("timeoutSeconds", 10800);
        }
        else if (spec.Str("sessionAffinity") == "None")
        {
            // Switching affinity off drops its settings, as upstream's defaults do.
            spec.Remove("sessionAffinityConfig");
        }

        foreach (var port in spec.Arr("ports").Objects())
        {
            port.Default("protocol", "TCP");
            var targetPort = port["targetPort"];
            var unset = targetPort is null || JsonFields.AsInt(targetPort) == 0 || (targetPort is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0);
            if (unset && port.Int("port") is { } number)
            {
                port["targetPort"] = number;
            }
        }

        var externallyAccessible = type is "NodePort" or "LoadBalancer" || (type == "ClusterIP" && spec.Arr("externalIPs") is { Count: > 0 });
        if (externallyAccessible)
        {
            spec.Default("externalTrafficPolicy", "Cluster");
        }

        if (type is "ClusterIP" or "NodePort" or "LoadBalancer")
        {
            spec.Default("internalTrafficPolicy", "Cluster");
        }

        if (type == "LoadBalancer")
        {
            spec.Default("allocateLoadBalancerNodePorts", true);
        }

        if (type != "ExternalName")
        {
            // A headless service without selector may front endpoints of any family.
            var headlessWithoutSelector = spec.Str("clusterIP") == "None" && spec.Obj("selector") is not { Count: > 0 };
            spec.Default("ipFamilyPolicy", headlessWithoutSelector ? "RequireDualStack" : "SingleStack");
            if (spec.Arr("ipFamilies") is not { Count: > 0 })
            {
                spec["ipFamilies"] = new JsonArray("IPv4");
            }

            // Upstream lists both families for a headless Service without selector unless it asks
            // for one: its endpoints are whatever the user puts there, of either family.
            if (headlessWithoutSelector && spec.Str("ipFamilyPolicy") != "SingleStack" && spec.Arr("ipFamilies") is { Count: 1 } families)
            {
                families.Add(families[0]?.ToString() == "IPv6" ? "IPv4" : "IPv6");
            }
        }
    }
}
