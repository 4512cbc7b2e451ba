using System.Globalization;
using System.Net;
using System.Net.Sockets;
using k8s.Models;

namespace Stevedore.Controllers.Common;

/// <summary>
/// Which pods back a Service and how, shared by the Endpoints and EndpointSlice controllers
/// (upstream's <c>endpointsliceutil</c> and <c>podutil.FindPort</c>). Pure.
/// </summary>
public static class EndpointRules
{
    /// <summary>Label on Endpoints and EndpointSlices of a Service without a cluster IP.</summary>
    public const string HeadlessLabel = "service.kubernetes.io/headless";

    /// <summary>A label or annotation value, or null (the models expose plain <see cref="IDictionary{TKey,TValue}"/>).</summary>
    public static string? ValueOf(IDictionary<string, string>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) ? value : null;

    /// <summary>
    /// True when the Service has a selector the controllers act on. A Service without one gets
    /// no managed endpoints: its Endpoints are whatever a user writes.
    /// </summary>
    public static bool HasSelector(V1Service service) => service.Spec?.Selector is { Count: > 0 };

    /// <summary>True when every label of the Service's selector is on the pod.</summary>
    public static bool Selects(V1Service service, V1Pod pod) =>
        HasSelector(service) && service.Metadata?.NamespaceProperty == pod.Metadata?.NamespaceProperty &&
        LabelSelectorMatcher.IsSubset(service.Spec!.Selector, pod.Metadata?.Labels);

    /// <summary>
    /// A pod is listed while it has an IP and has not finished; a terminating pod only when
    /// <paramref name="includeTerminating"/> (always for slices, with publishNotReadyAddresses for Endpoints).
    /// </summary>
    public static bool ShouldPodBeInEndpoints(V1Pod pod, bool includeTerminating)
    {
        if (pod.Status?.Phase is "Succeeded" or "Failed")
        {
            return false;
        }

        if (string.IsNullOrEmpty(pod.Status?.PodIP) && pod.Status?.PodIPs is not { Count: > 0 })
        {
            return false;
        }

        return includeTerminating || pod.Metadata?.DeletionTimestamp is null;
    }

    /// <summary>The pod's hostname is published when its subdomain names this Service (the StatefulSet identity).</summary>
    public static bool ShouldSetHostname(V1Pod pod, V1Service service) =>
        !string.IsNullOrEmpty(pod.Spec?.Hostname) && pod.Spec.Subdomain == service.Metadata?.Name &&
        pod.Metadata?.NamespaceProperty == service.Metadata?.NamespaceProperty;

    /// <summary>
    /// The container port a Service port reaches on this pod: a number as is, a name through the
    /// pod's containers (and restartable init containers) with that port name and protocol; null when none.
    /// </summary>
    public static int? FindPort(V1Pod pod, V1ServicePort servicePort)
    {
        var target = servicePort.TargetPort?.Value;
        if (string.IsNullOrEmpty(target))
        {
            return servicePort.Port;
        }

        if (int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        var protocol = servicePort.Protocol ?? "TCP";
        var containers = (pod.Spec?.Containers ?? []).Concat((pod.Spec?.InitContainers ?? []).Where(c => c.RestartPolicy == "Always"));
        foreach (var container in containers)
        {
            foreach (var port in container.Ports ?? [])
            {
                if (port.Name == target && (port.Protocol ?? "TCP") == protocol)
                {
                    return port.ContainerPort;
                }
            }
        }

        return null;
    }

    /// <summary>The address families the Service's endpoints carry (<c>IPv4</c>, <c>IPv6</c>), from spec.ipFamilies.</summary>
    public static IReadOnlyList<string> AddressTypes(V1Service service)
    {
        if (service.Spec?.IpFamilies is { Count: > 0 } families)
        {
            return [.. families.Distinct()];
        }

        return [service.Spec?.ClusterIP is { } ip && IPAddress.TryParse(ip, out var parsed) && parsed.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4"];
    }

    /// <summary>The pod's IP of one family, or null.</summary>
    public static string? PodIP(V1Pod pod, string family)
    {
        var wantV6 = family == "IPv6";
        var ips = pod.Status?.PodIPs?.Select(p => p.Ip).ToList() ?? [];
        if (ips.Count == 0 && !string.IsNullOrEmpty(pod.Status?.PodIP))
        {
            ips.Add(pod.Status.PodIP);
        }

        return ips.FirstOrDefault(ip => IPAddress.TryParse(ip, out var parsed) && (parsed.AddressFamily == AddressFamily.InterNetworkV6) == wantV6);
    }

    /// <summary>The family of the Service's first address, for the Endpoints object (one family only).</summary>
    public static string PrimaryFamily(V1Service service) => AddressTypes(service)[0];

    /// <summary>A Service has a cluster IP unless it is headless (None) or has none yet.</summary>
    public static bool IsServiceIPSet(V1Service service) =>
        !string.IsNullOrEmpty(service.Spec?.ClusterIP) && service.Spec.ClusterIP != "None";

    /// <summary>A reference to the pod, as endpoints carry it.</summary>
    public static V1ObjectReference PodReference(V1Pod pod) => new()
    {
        Kind = "Pod",
        NamespaceProperty = pod.Metadata.NamespaceProperty,
        Name = pod.Metadata.Name,
        Uid = pod.Metadata.Uid,
    };

    /// <summary>
    /// What about a pod matters to endpoints; a pod update that leaves this unchanged (a new
    /// annotation, a container restart count) does not touch any Service.
    /// </summary>
    public static string Fingerprint(V1Pod pod) => string.Join('|',
        pod.Status?.PodIP, string.Join(',', pod.Status?.PodIPs?.Select(p => p.Ip) ?? []), PodState.IsReady(pod), pod.Status?.Phase,
        pod.Metadata?.DeletionTimestamp?.ToString("O", CultureInfo.InvariantCulture), pod.Spec?.NodeName, pod.Spec?.Hostname, pod.Spec?.Subdomain,
        string.Join(',', (pod.Metadata?.Labels ?? new Dictionary<string, string>()).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)));
}
