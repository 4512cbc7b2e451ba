using System.Net;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;

namespace Stevedore.ApiServer.Validation;

/// <summary>Upstream's Service rules (<c>ValidateService</c>, <c>ValidateServiceUpdate</c>).</summary>
internal static class ServiceValidator
{
    private static readonly string[] Types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    private static readonly string[] Affinities = ["ClientIP", "None"];

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
        else if (clusterIP.Length > 0 && !headless && !IPAddress.TryParse(clusterIP, out _))
        {
            errors.Add(FieldError.Invalid("spec.clusterIPs[0]", clusterIP, "must be empty, 'None', or a valid IP address"));
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

        var affinity = spec.Str("sessionAffinity") ?? "";
        if (affinity.Length == 0)
        {
            errors.Add(FieldError.Required("spec.sessionAffinity"));
        }
        else if (!Affinities.Contains(affinity))
        {
            errors.Add(FieldError.NotSupported("spec.sessionAffinity", affinity, Affinities));
        }

        ObjectMetaValidator.ValidateLabels(spec.Obj("selector"), "spec.selector", errors);
    }

    /// <summary>An allocated cluster IP never changes (an update that leaves it empty keeps the old one).</summary>
    public static void ValidateUpdate(JsonObject newService, JsonObject oldService, List<FieldError> errors)
    {
        var newSpec = newService.Obj("spec");
        var oldSpec = oldService.Obj("spec");
        var toOrFromExternalName = newSpec.Str("type") == "ExternalName" || oldSpec.Str("type") == "ExternalName";
        var oldIP = oldSpec.Str("clusterIP") ?? "";
        var newIP = newSpec.Str("clusterIP") ?? "";
        if (!toOrFromExternalName && oldIP.Length > 0 && newIP.Length > 0 && newIP != oldIP)
        {
            errors.Add(FieldError.Invalid("spec.clusterIPs[0]", newIP, "may not change once set"));
        }
    }
}
