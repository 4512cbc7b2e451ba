using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;

namespace Stevedore.ApiServer.Services;

/// <summary>
/// Upstream's Service strategy before defaulting and validation: keeps <c>clusterIP</c> and
/// <c>clusterIPs</c> in step, carries allocated values over when a client leaves them out
/// (so a replace or apply without them keeps them), and clears the values a type change makes
/// meaningless when the client did not touch them (so they are freed).
/// </summary>
internal static class ServiceStrategy
{
    public static void PrepareForCreate(JsonObject service)
    {
        // Status is the server's; a new Service starts with an empty load-balancer status.
        service["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
        if (service.Obj("spec") is not { } spec)
        {
            return;
        }

        // A client that knows only the singular field.
        if (spec.Str("clusterIP") is { Length: > 0 } clusterIP && spec.Arr("clusterIPs") is not { Count: > 0 })
        {
            spec["clusterIPs"] = new JsonArray(clusterIP);
        }
    }

    public static void PrepareForUpdate(JsonObject desired, JsonObject current)
    {
        var spec = desired.Ensure("spec");
        var old = current.Obj("spec") ?? [];

        // An update that does not say which policy keeps the old one (rather than the default).
        if (!spec.HasText("ipFamilyPolicy") && old.Str("ipFamilyPolicy") is { } policy &&
            ServiceTypes.NeedsClusterIP(spec) && ServiceTypes.NeedsClusterIP(old))
        {
            spec["ipFamilyPolicy"] = policy;
        }

        // Decide on defaulted values, as upstream does (it defaults when decoding).
        ServiceDefaults.Apply(desired);
        NormalizeClusterIPs(spec, old);
        PatchAllocatedValues(spec, old);
        DropTypeDependentFields(desired, spec, old);
    }

    private static void NormalizeClusterIPs(JsonObject spec, JsonObject old)
    {
        var oldIPs = Strings(old.Arr("clusterIPs"));
        var oldIP = old.Str("clusterIP") ?? "";
        var newIP = spec.Str("clusterIP") ?? "";

        // An older client patched something else and did not send clusterIPs.
        if (oldIPs.Count > 0 && Strings(spec.Arr("clusterIPs")).Count == 0 && oldIP == newIP)
        {
            spec["clusterIPs"] = old["clusterIPs"]!.DeepClone();
        }

        if (oldIP == newIP)
        {
            return;
        }

        var sameIPs = oldIPs.SequenceEqual(Strings(spec.Arr("clusterIPs")));
        if (oldIP.Length > 0 && newIP.Length == 0 && sameIPs)
        {
            // The client clears the singular field: clear the plural on its behalf.
            spec.Remove("clusterIPs");
        }

        if (newIP.Length > 0 && sameIPs)
        {
            spec["clusterIPs"] = new JsonArray(newIP);
        }
    }

    private static void PatchAllocatedValues(JsonObject spec, JsonObject old)
    {
        if (ServiceTypes.NeedsClusterIP(old) && ServiceTypes.NeedsClusterIP(spec))
        {
            if (!spec.HasText("clusterIP") && old.Str("clusterIP") is { Length: > 0 } clusterIP)
            {
                spec["clusterIP"] = clusterIP;
            }

            if (spec.Arr("clusterIPs") is not { Count: > 0 } && old.Arr("clusterIPs") is { Count: > 0 } clusterIPs)
            {
                spec["clusterIPs"] = clusterIPs.DeepClone();
            }
        }

        if (ServiceTypes.NeedsNodePort(old) && ServiceTypes.NeedsNodePort(spec))
        {
            var oldPorts = NodePorts(old);
            var used = oldPorts.Intersect(NodePorts(spec)).ToHashSet();
            var byName = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var port in old.Arr("ports").Objects())
            {
                byName[port.Str("name") ?? ""] = port.Int("nodePort") ?? 0;
            }

            foreach (var port in spec.Arr("ports").Objects())
            {
                if ((port.Int("nodePort") ?? 0) == 0 && byName.TryGetValue(port.Str("name") ?? "", out var previous) && previous > 0 && !used.Contains(previous))
                {
                    port["nodePort"] = previous;
                }
            }
        }

        if (ServiceTypes.NeedsHealthCheckNodePort(old) && ServiceTypes.NeedsHealthCheckNodePort(spec) &&
            (spec.Int("healthCheckNodePort") ?? 0) == 0 && old.Int("healthCheckNodePort") is { } healthCheck and > 0)
        {
            spec["healthCheckNodePort"] = healthCheck;
        }
    }

    private static void DropTypeDependentFields(JsonObject service, JsonObject spec, JsonObject old)
    {
        if (ServiceTypes.NeedsClusterIP(old) && !ServiceTypes.NeedsClusterIP(spec))
        {
            if (Strings(old.Arr("clusterIPs")).SequenceEqual(Strings(spec.Arr("clusterIPs"))))
            {
                spec.Remove("clusterIP");
                spec.Remove("clusterIPs");
            }

            if (Strings(old.Arr("ipFamilies")).SequenceEqual(Strings(spec.Arr("ipFamilies"))))
            {
                spec.Remove("ipFamilies");
            }

            if (old.Str("ipFamilyPolicy") == spec.Str("ipFamilyPolicy"))
            {
                spec.Remove("ipFamilyPolicy");
            }
        }

        if (ServiceTypes.NeedsNodePort(old) && !ServiceTypes.NeedsNodePort(spec) && SameNodePorts(old, spec))
        {
            foreach (var port in spec.Arr("ports").Objects())
            {
                port.Remove("nodePort");
            }
        }

        if (ServiceTypes.NeedsHealthCheckNodePort(old) && !ServiceTypes.NeedsHealthCheckNodePort(spec) &&
            (old.Int("healthCheckNodePort") ?? 0) == (spec.Int("healthCheckNodePort") ?? 0))
        {
            spec.Remove("healthCheckNodePort");
        }

        var type = ServiceTypes.Of(spec);
        if (type != "LoadBalancer")
        {
            spec.Remove("allocateLoadBalancerNodePorts");
            if (ServiceTypes.Of(old) == "LoadBalancer" && old.Str("loadBalancerClass") is { } lbClass && spec.Str("loadBalancerClass") == lbClass)
            {
                spec.Remove("loadBalancerClass");
            }

            // Load-balancer status means nothing for other types.
            var status = service.Ensure("status");
            status["loadBalancer"] = new JsonObject();
        }

        if (ServiceTypes.ExternallyAccessible(old) && !ServiceTypes.ExternallyAccessible(spec) &&
            old.Str("externalTrafficPolicy") == spec.Str("externalTrafficPolicy"))
        {
            spec.Remove("externalTrafficPolicy");
        }
    }

    private static bool SameNodePorts(JsonObject a, JsonObject b)
    {
        var left = a.Arr("ports").Objects().Select(p => p.Int("nodePort") ?? 0).ToList();
        var right = b.Arr("ports").Objects().Select(p => p.Int("nodePort") ?? 0).ToList();
        return left.SequenceEqual(right);
    }

    private static List<long> NodePorts(JsonObject spec) =>
        [.. spec.Arr("ports").Objects().Select(p => p.Int("nodePort") ?? 0).Where(p => p > 0)];

    private static List<string> Strings(JsonArray? values) => [.. (values ?? []).Select(v => v?.ToString() ?? "")];
}
