using System.Globalization;
using k8s.Models;

namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// The Docker-link style variables every container gets for Services (upstream <c>envvars.FromServices</c>):
/// <c>NAME_SERVICE_HOST</c>, <c>NAME_SERVICE_PORT</c>, <c>NAME_SERVICE_PORT_PORTNAME</c>, <c>NAME_PORT</c>,
/// <c>NAME_PORT_80_TCP</c> with <c>_PROTO</c>, <c>_PORT</c>, <c>_ADDR</c>.
/// </summary>
public static class ServiceEnvironment
{
    /// <summary>The Services whose variables a pod in <paramref name="podNamespace"/> sees: the <c>kubernetes</c>
    /// Service of <c>default</c> always, the pod's own namespace's when service links are enabled (those win).</summary>
    public static IReadOnlyList<V1Service> Visible(string podNamespace, bool enableServiceLinks, IEnumerable<V1Service> defaultNamespace, IEnumerable<V1Service> podNamespaceServices)
    {
        var byName = new Dictionary<string, V1Service>(StringComparer.Ordinal);
        if (enableServiceLinks)
        {
            foreach (var service in podNamespaceServices.Where(HasClusterIp))
            {
                byName[service.Metadata.Name] = service;
            }
        }

        if (podNamespace != "default" || !enableServiceLinks)
        {
            var master = defaultNamespace.FirstOrDefault(s => s.Metadata.Name == "kubernetes" && HasClusterIp(s));
            if (master is not null)
            {
                byName.TryAdd("kubernetes", master);
            }
        }

        return [.. byName.Values.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal)];
    }

    public static IReadOnlyList<(string Name, string Value)> Variables(IEnumerable<V1Service> services)
    {
        var result = new List<(string, string)>();
        foreach (var service in services)
        {
            if (!HasClusterIp(service) || service.Spec.Ports is not { Count: > 0 } ports)
            {
                continue;
            }

            var prefix = VariableName(service.Metadata.Name);
            var ip = service.Spec.ClusterIP;
            result.Add((prefix + "_SERVICE_HOST", ip));
            result.Add((prefix + "_SERVICE_PORT", Text(ports[0].Port)));
            foreach (var port in ports.Where(p => !string.IsNullOrEmpty(p.Name)))
            {
                result.Add(($"{prefix}_SERVICE_PORT_{VariableName(port.Name)}", Text(port.Port)));
            }

            for (var i = 0; i < ports.Count; i++)
            {
                var port = ports[i];
                var protocol = string.IsNullOrEmpty(port.Protocol) ? "TCP" : port.Protocol;
                var lower = protocol.ToLowerInvariant();
                var hostPort = ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]:{Text(port.Port)}" : $"{ip}:{Text(port.Port)}";
                if (i == 0)
                {
                    result.Add((prefix + "_PORT", $"{lower}://{hostPort}"));
                }

                var portPrefix = $"{prefix}_PORT_{Text(port.Port)}_{protocol.ToUpperInvariant()}";
                result.Add((portPrefix, $"{lower}://{hostPort}"));
                result.Add((portPrefix + "_PROTO", lower));
                result.Add((portPrefix + "_PORT", Text(port.Port)));
                result.Add((portPrefix + "_ADDR", ip));
            }
        }

        return result;
    }

    private static bool HasClusterIp(V1Service service) =>
        service.Spec?.ClusterIP is { Length: > 0 } ip && ip != "None";

    private static string VariableName(string name) => name.Replace('-', '_').ToUpperInvariant();

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
