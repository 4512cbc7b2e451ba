using System.Globalization;
using System.Net;
using k8s.Models;

namespace Stevedore.Kubelet.Pods;

/// <summary>
/// The Service environment variables a container gets, as upstream's kubelet computes them
/// (<c>getServiceEnvVarMap</c> and <c>envvars.FromServices</c>). Pure.
/// </summary>
/// <remarks>
/// For each Service with a cluster IP (not headless, not ExternalName): <c>NAME_SERVICE_HOST</c>,
/// <c>NAME_SERVICE_PORT</c> (the first port), <c>NAME_SERVICE_PORT_PORTNAME</c> (each named port),
/// and the Docker-link variables <c>NAME_PORT</c>, <c>NAME_PORT_80_TCP</c>, <c>..._PROTO</c>,
/// <c>..._PORT</c>, <c>..._ADDR</c>; NAME is the Service name upper-cased with '-' turned to '_'.
/// A pod sees the Services of its own namespace only when <c>enableServiceLinks</c> is true (the
/// default), and always the <c>kubernetes</c> Service of <c>default</c> (a Service of that name in
/// its own namespace wins). The caller adds these after the container's own env and envFrom,
/// skipping names the container already defines, and lets <c>$(VAR)</c> references in env values
/// fall back to them, as upstream.
/// </remarks>
public static class ServiceEnvironment
{
    /// <summary>Services of <c>default</c> every pod sees, whatever enableServiceLinks says.</summary>
    public static readonly IReadOnlySet<string> MasterServices = new HashSet<string>(StringComparer.Ordinal) { "kubernetes" };

    /// <summary>
    /// The variables for a pod in <paramref name="podNamespace"/>, from every Service the agent
    /// knows (all namespaces; the informer cache). <paramref name="enableServiceLinks"/> null means true.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ForPod(string podNamespace, bool? enableServiceLinks, IEnumerable<V1Service> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var links = enableServiceLinks ?? true;
        var byName = new Dictionary<string, V1Service>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            if (!IsServiceIPSet(service) || service.Metadata?.Name is not { Length: > 0 } name)
            {
                continue;
            }

            var ns = service.Metadata.NamespaceProperty;
            if (ns == podNamespace && links)
            {
                byName[name] = service;
            }
            else if (ns == "default" && MasterServices.Contains(name))
            {
                byName.TryAdd(name, service);
            }
        }

        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in byName.Values.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal))
        {
            foreach (var (key, value) in FromService(service))
            {
                variables[key] = value;
            }
        }

        return variables;
    }

    /// <summary>The variables of one Service with a cluster IP, in upstream's order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> FromService(V1Service service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var result = new List<KeyValuePair<string, string>>();
        var ports = service.Spec?.Ports ?? [];
        if (!IsServiceIPSet(service) || ports.Count == 0)
        {
            return result;
        }

        var clusterIP = service.Spec!.ClusterIP;
        var prefix = VariableName(service.Metadata.Name);
        result.Add(new(prefix + "_SERVICE_HOST", clusterIP));
        result.Add(new(prefix + "_SERVICE_PORT", Number(ports[0].Port)));
        foreach (var port in ports)
        {
            if (!string.IsNullOrEmpty(port.Name))
            {
                result.Add(new(prefix + "_SERVICE_PORT_" + VariableName(port.Name), Number(port.Port)));
            }
        }

        // Docker links: the first port gets the short form as well.
        for (var i = 0; i < ports.Count; i++)
        {
            var protocol = string.IsNullOrEmpty(ports[i].Protocol) ? "TCP" : ports[i].Protocol;
            var url = protocol.ToLowerInvariant() + "://" + JoinHostPort(clusterIP, ports[i].Port);
            if (i == 0)
            {
                result.Add(new(prefix + "_PORT", url));
            }

            var portPrefix = $"{prefix}_PORT_{Number(ports[i].Port)}_{protocol.ToUpperInvariant()}";
            result.Add(new(portPrefix, url));
            result.Add(new(portPrefix + "_PROTO", protocol.ToLowerInvariant()));
            result.Add(new(portPrefix + "_PORT", Number(ports[i].Port)));
            result.Add(new(portPrefix + "_ADDR", clusterIP));
        }

        return result;
    }

    /// <summary>Upper case, '-' to '_' (upstream makeEnvVariableName).</summary>
    public static string VariableName(string name) => name.Replace('-', '_').ToUpperInvariant();

    private static bool IsServiceIPSet(V1Service service) =>
        !string.IsNullOrEmpty(service.Spec?.ClusterIP) && service.Spec.ClusterIP != "None";

    private static string Number(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static string JoinHostPort(string host, int port) =>
        IPAddress.TryParse(host, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{host}]:{Number(port)}"
            : $"{host}:{Number(port)}";
}
