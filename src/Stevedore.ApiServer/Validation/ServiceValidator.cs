using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;
using Stevedore.ApiServer.Services;

namespace Stevedore.ApiServer.Validation;

/// <summary>Upstream's Service rules (<c>ValidateService</c>, <c>ValidateServiceUpdate</c>).</summary>
internal static class ServiceValidator
{
    private static readonly string[] Types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    private static readonly string[] Affinities = ["ClientIP", "None"];
    private const int MaxAffinitySeconds = 86400;
    private static readonly string[] IPFamilies = ["IPv4", "IPv6"];
    private static readonly string[] IPFamilyPolicies = ["PreferDualStack", "RequireDualStack", "SingleStack"];
    private static readonly string[] TrafficPolicies = ["Cluster", "Local"];

    public static void Validate(JsonObject service, List<FieldError> errors)
    {
        var spec = service.Obj("spec");
        var type = spec.Str("type") ?? "";
        var clusterIP = spec.Str("clusterIP") ?? "";
        var headless = clusterIP == "None";
        var ports = spec.Arr("ports").Objects().ToList();
        if (ports.Count == 0 && !headless && type != "ExternalName")
        {
            errors.Add(FieldError.Required("spec.ports"));
        }

        if (type.Length == 0)
        {
            errors.Add(FieldError.Required("spec.type"));
        }
        else if (!Types.Contains(type))
        {
            errors.Add(FieldError.NotSupported("spec.type", type, Types));
        }

        if (type == "ExternalName")
        {
            if (clusterIP.Length > 0)
            {
                errors.Add(FieldError.Forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
            }

            if (spec.Arr("ipFamilies") is { Count: > 0 })
            {
                errors.Add(FieldError.Forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
            }

            if (spec.HasText("ipFamilyPolicy"))
            {
                errors.Add(FieldError.Forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
            }

            var cname = (spec.Str("externalName") ?? "").TrimEnd('.');
            if (cname.Length == 0)
            {
                errors.Add(FieldError.Required("spec.externalName"));
            }
            else
            {
                errors.AddRange(NameRules.Dns1123Subdomain(cname).Select(m => FieldError.Invalid("spec.externalName", cname, m)));
            }
        }
        else
        {
            ValidateClusterIPs(spec ?? [], errors);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var port in ports)
        {
            var at = "spec.ports".Index(index++);
            var name = port.Str("name") ?? "";
            if (ports.Count > 1 && name.Length == 0)
            {
                errors.Add(FieldError.Required(at.Child("name")));
            }
            else if (name.Length > 0)
            {
                errors.AddRange(NameRules.Dns1123Label(name).Select(m => FieldError.Invalid(at.Child("name"), name, m)));
                if (!names.Add(name))
                {
                    errors.Add(FieldError.Duplicate(at.Child("name"), name));
                }
            }

            var number = port.Int("port") ?? 0;
            errors.AddRange(NameRules.PortNumber(number).Select(m => FieldError.Invalid(at.Child("port"), number, m)));
            PodValidator.ValidateProtocol(port, at, errors);
            PodValidator.ValidatePortNumberOrName(port["targetPort"], at.Child("targetPort"), errors);
            if (port.Int("nodePort") is { } nodePort and not 0)
            {
                if (type == "ClusterIP")
                {
                    errors.Add(FieldError.Forbidden(at.Child("nodePort"), "may not be used when `type` is 'ClusterIP'"));
                }
                else
                {
                    errors.AddRange(NameRules.PortNumber(nodePort).Select(m => FieldError.Invalid(at.Child("nodePort"), nodePort, m)));
                }
            }
        }

        ValidateNodePorts(ports, errors);
        ValidateTrafficPolicies(spec, errors);

        var affinity = spec.Str("sessionAffinity") ?? "";
        if (affinity.Length == 0)
        {
            errors.Add(FieldError.Required("spec.sessionAffinity"));
        }
        else if (!Affinities.Contains(affinity))
        {
            errors.Add(FieldError.NotSupported("spec.sessionAffinity", affinity, Affinities));
        }
        else if (affinity == "ClientIP" && spec.Obj("sessionAffinityConfig").Obj("clientIP").Int("timeoutSeconds") is { } timeout and (<= 0 or > MaxAffinitySeconds))
        {
            errors.Add(FieldError.Invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout, $"must be greater than 0 and less than {MaxAffinitySeconds}"));
        }
        else if (affinity == "None" && spec.Has("sessionAffinityConfig"))
        {
            errors.Add(FieldError.Forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
        }

        ObjectMetaValidator.ValidateLabels(spec.Obj("selector"), "spec.selector", errors);
    }

    /// <summary>Allocated cluster IPs never change (upstream's <c>validateUpgradeDowngradeClusterIPs</c> for one family).</summary>
    public static void ValidateUpdate(JsonObject newService, JsonObject oldService, List<FieldError> errors)
    {
        var newSpec = newService.Obj("spec");
        var oldSpec = oldService.Obj("spec");
        var toOrFromExternalName = newSpec.Str("type") == "ExternalName" || oldSpec.Str("type") == "ExternalName";
        var oldIPs = oldSpec.Arr("clusterIPs")?.Select(v => v?.ToString() ?? "").ToList() ?? [];
        var newIPs = newSpec.Arr("clusterIPs")?.Select(v => v?.ToString() ?? "").ToList() ?? [];
        var bothHeadless = oldIPs is ["None"] && newIPs is ["None"];
        if (!toOrFromExternalName && !bothHeadless)
        {
            var rendered = new RenderedValue("[]string{" + string.Join(", ", newIPs.Select(BadValues.Quote)) + "}");
            if (oldIPs.Count == newIPs.Count)
            {
                for (var i = 0; i < oldIPs.Count; i++)
                {
                    if (oldIPs[i] != newIPs[i])
                    {
                        errors.Add(FieldError.Invalid("spec.clusterIPs".Index(i), rendered, "may not change once set"));
                    }
                }
            }
            else if (oldIPs.Count > newIPs.Count)
            {
                if (newIPs.Count == 0)
                {
                    errors.Add(FieldError.Invalid("spec.clusterIPs[0]", rendered, "primary clusterIP can not be unset"));
                }
                else if (newIPs[0] != oldIPs[0])
                {
                    errors.Add(FieldError.Invalid("spec.clusterIPs[0]", rendered, "may not change once set"));
                }
            }
            else if (oldIPs.Count > 0 && newIPs[0] != oldIPs[0])
            {
                errors.Add(FieldError.Invalid("spec.clusterIPs[0]", rendered, "may not change once set"));
            }
        }

        if (ServiceTypes.NeedsHealthCheckNodePort(oldSpec) && ServiceTypes.NeedsHealthCheckNodePort(newSpec) &&
            (newSpec.Int("healthCheckNodePort") ?? 0) != (oldSpec.Int("healthCheckNodePort") ?? 0))
        {
            errors.Add(FieldError.Forbidden("spec.healthCheckNodePort", "field is immutable"));
        }
    }

    /// <summary>Upstream's <c>ValidateServiceClusterIPsRelatedFields</c> (the parts that do not depend on the cluster's configuration).</summary>
    private static void ValidateClusterIPs(JsonObject spec, List<FieldError> errors)
    {
        var clusterIP = spec.Str("clusterIP") ?? "";
        var clusterIPs = spec.Arr("clusterIPs")?.Select(v => v?.ToString() ?? "").ToList() ?? [];
        var rendered = new RenderedValue("[]string{" + string.Join(", ", clusterIPs.Select(BadValues.Quote)) + "}");
        if (clusterIP.Length > 0)
        {
            if (clusterIPs.Count == 0)
            {
                errors.Add(FieldError.Required("spec.clusterIPs"));
            }
            else if (clusterIPs[0] != clusterIP)
            {
                errors.Add(FieldError.Invalid("spec.clusterIPs", rendered, "first value must match `clusterIP`"));
            }
        }
        else if (clusterIPs.Count > 0)
        {
            errors.Add(FieldError.Invalid("spec.clusterIPs", rendered, "must be empty when `clusterIP` is not specified"));
        }

        var families = spec.Arr("ipFamilies")?.Select(v => v?.ToString() ?? "").ToList() ?? [];
        var seenFamilies = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < families.Count; i++)
        {
            if (!IPFamilies.Contains(families[i]))
            {
                errors.Add(FieldError.NotSupported("spec.ipFamilies".Index(i), families[i], IPFamilies));
            }

            if (!seenFamilies.Add(families[i]))
            {
                errors.Add(FieldError.Duplicate("spec.ipFamilies".Index(i), families[i]));
            }
        }

        var policy = spec.Str("ipFamilyPolicy");
        if (policy is not null && !IPFamilyPolicies.Contains(policy))
        {
            errors.Add(FieldError.NotSupported("spec.ipFamilyPolicy", policy, IPFamilyPolicies));
        }

        var invalidIPs = false;
        for (var i = 0; i < clusterIPs.Count; i++)
        {
            if (i == 0 && clusterIPs[0] == "None")
            {
                if (clusterIPs.Count > 1)
                {
                    invalidIPs = true;
                    errors.Add(FieldError.Invalid("spec.clusterIPs", rendered, "'None' must be the first and only value"));
                }

                continue;
            }

            if (!IPAddress.TryParse(clusterIPs[i], out _) || clusterIPs[i].Contains('%', StringComparison.Ordinal))
            {
                invalidIPs = true;
                errors.Add(FieldError.Invalid("spec.clusterIPs".Index(i), clusterIPs[i], "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
            }
        }

        if (clusterIPs.Count > 2)
        {
            errors.Add(FieldError.Invalid("spec.clusterIPs", rendered, "may only hold up to 2 values"));
        }

        if (invalidIPs)
        {
            return;
        }

        if (policy == "SingleStack")
        {
            if (clusterIPs.Count == 2)
            {
                errors.Add(FieldError.Invalid("spec.ipFamilyPolicy", policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
            }

            if (families.Count == 2)
            {
                errors.Add(FieldError.Invalid("spec.ipFamilyPolicy", policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
            }
        }

        if (clusterIPs.Count == 2 && clusterIPs[0] != "None" &&
            IPAddress.Parse(clusterIPs[0]).AddressFamily == IPAddress.Parse(clusterIPs[1]).AddressFamily)
        {
            errors.Add(FieldError.Invalid("spec.clusterIPs", rendered, "may specify no more than one IP for each IP family"));
        }

        var headless = clusterIPs.Count == 1 && clusterIPs[0] == "None";
        if (!headless)
        {
            for (var i = 0; i < clusterIPs.Count && i < families.Count; i++)
            {
                var isV6 = IPAddress.Parse(clusterIPs[i]).AddressFamily == AddressFamily.InterNetworkV6;
                if (families[i] == "IPv4" && isV6)
                {
                    errors.Add(FieldError.Invalid("spec.clusterIPs".Index(i), clusterIPs[i], $"expected an IPv4 value as indicated by `ipFamilies[{i}]`"));
                }
                else if (families[i] == "IPv6" && !isV6)
                {
                    errors.Add(FieldError.Invalid("spec.clusterIPs".Index(i), clusterIPs[i], $"expected an IPv6 value as indicated by `ipFamilies[{i}]`"));
                }
            }
        }
    }

    /// <summary>One node port per protocol; the same number may serve TCP and UDP.</summary>
    private static void ValidateNodePorts(List<JsonObject> ports, List<FieldError> errors)
    {
        var seen = new HashSet<(string, long)>();
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i].Int("nodePort") is { } nodePort and not 0 && !seen.Add((ports[i].Str("protocol") ?? "TCP", nodePort)))
            {
                errors.Add(FieldError.Duplicate("spec.ports".Index(i).Child("nodePort"), nodePort));
            }
        }
    }

    private static void ValidateTrafficPolicies(JsonObject? spec, List<FieldError> errors)
    {
        var external = spec.Str("externalTrafficPolicy");
        if (external is not null)
        {
            if (!ServiceTypes.ExternallyAccessible(spec))
            {
                errors.Add(FieldError.Invalid("spec.externalTrafficPolicy", external, "may only be set for externally-accessible services"));
            }
            else if (!TrafficPolicies.Contains(external))
            {
                errors.Add(FieldError.NotSupported("spec.externalTrafficPolicy", external, TrafficPolicies));
            }
        }

        if (spec.Str("internalTrafficPolicy") is { } internalPolicy && !TrafficPolicies.Contains(internalPolicy))
        {
            errors.Add(FieldError.NotSupported("spec.internalTrafficPolicy", internalPolicy, TrafficPolicies));
        }

        if (spec.Int("healthCheckNodePort") is { } healthCheck and not 0)
        {
            if (!ServiceTypes.NeedsHealthCheckNodePort(spec))
            {
                errors.Add(FieldError.Invalid("spec.healthCheckNodePort", healthCheck, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
            }
            else
            {
                errors.AddRange(NameRules.PortNumber(healthCheck).Select(m => FieldError.Invalid("spec.healthCheckNodePort", healthCheck, m)));
            }
        }
    }
}
