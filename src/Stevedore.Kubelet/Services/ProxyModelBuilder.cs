using System.Net;
using System.Net.Sockets;
using k8s.Models;
using Stevedore.Network.Proxy;

namespace Stevedore.Kubelet.Services;

/// <summary>
/// Translates Services and their EndpointSlices into the proxy's plain model (pure). Upstream's rules:
/// ExternalName and headless Services (<c>clusterIP: None</c>) are not proxied; LoadBalancer ingress
/// IPs count only for type LoadBalancer, <c>externalIPs</c> for any type; a slice endpoint's ready
/// condition defaults to true, serving to ready, terminating to false; only the first address of an
/// endpoint is used; slices are matched to a service port by port name and protocol. A Service without
/// a selector gets whatever slices name it (none: no endpoints, so connections are refused).
/// </summary>
public static class ProxyModelBuilder
{
    /// <summary>The label that ties an EndpointSlice to its Service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>The session affinity timeout when the Service names none (three hours, as upstream).</summary>
    public static readonly TimeSpan DefaultAffinityTimeout = TimeSpan.FromSeconds(10800);

    /// <summary>Every proxied service port of <paramref name="services"/>, with endpoints from <paramref name="slices"/>.</summary>
    public static List<ProxyService> Build(IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice> slices)
    {
        var slicesByService = slices
            .Where(s => s.Metadata?.Labels?.TryGetValue(ServiceNameLabel, out var name) == true && !string.IsNullOrEmpty(name))
            .GroupBy(s => (s.Metadata.NamespaceProperty ?? "", s.Metadata.Labels[ServiceNameLabel]))
            .ToDictionary(g => g.Key, g => g.ToList());
        var result = new List<ProxyService>();
        foreach (var service in services)
        {
            var key = (service.Metadata?.NamespaceProperty ?? "", service.Metadata?.Name ?? "");
            result.AddRange(Build(service, slicesByService.GetValueOrDefault(key) ?? []));
        }

        return result;
    }

    /// <summary>The proxied ports of one Service; empty when it is not proxied.</summary>
    public static IEnumerable<ProxyService> Build(V1Service service, IReadOnlyList<V1EndpointSlice> slices)
    {
        var spec = service.Spec;
        if (spec is null || service.Metadata?.Name is not { Length: > 0 } name || spec.Type == "ExternalName")
        {
            yield break;
        }

        var clusterIp = ClusterIPv4(spec);
        if (clusterIp is null)
        {
            yield break;
        }

        var external = (spec.ExternalIPs ?? []).Concat(spec.Type == "LoadBalancer" ? service.Status?.LoadBalancer?.Ingress?.Select(i => i.Ip).OfType<string>() ?? [] : [])
            .Select(a => IPAddress.TryParse(a, out var ip) ? ip : null)
            .OfType<IPAddress>()
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork)
            .Distinct()
            .ToList();
        TimeSpan? affinity = spec.SessionAffinity == "ClientIP"
            ? spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds is int seconds and > 0 ? TimeSpan.FromSeconds(seconds) : DefaultAffinityTimeout
            : null;
        foreach (var port in spec.Ports ?? [])
        {
            if (!TryProtocol(port.Protocol, out var protocol))
            {
                continue;
            }

            yield return new ProxyService
            {
                Namespace = service.Metadata.NamespaceProperty ?? "",
                Name = name,
                PortName = port.Name ?? "",
                Protocol = protocol,
                ClusterIP = clusterIp,
                Port = port.Port,
                NodePort = port.NodePort ?? 0,
                ExternalAddresses = external,
                SessionAffinityTimeout = affinity,
                ExternalTrafficLocal = spec.ExternalTrafficPolicy == "Local",
                InternalTrafficLocal = spec.InternalTrafficPolicy == "Local",
                Endpoints = Endpoints(slices, port.Name ?? "", port.Protocol ?? "TCP"),
            };
        }
    }

    private static IPAddress? ClusterIPv4(V1ServiceSpec spec)
    {
        var candidates = spec.ClusterIPs is { Count: > 0 } list ? list : spec.ClusterIP is { } one ? [one] : [];
        foreach (var candidate in candidates)
        {
            // "None" (headless) and "" (not allocated yet) do not parse.
            if (IPAddress.TryParse(candidate, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork)
            {
                return ip;
            }
        }

        return null;
    }

    private static List<ProxyEndpoint> Endpoints(IReadOnlyList<V1EndpointSlice> slices, string portName, string protocol)
    {
        var endpoints = new List<ProxyEndpoint>();
        foreach (var slice in slices.Where(s => s.AddressType == "IPv4"))
        {
            var port = slice.Ports?.FirstOrDefault(p => (p.Name ?? "") == portName && (p.Protocol ?? "TCP") == protocol);
            if (port?.Port is not int number)
            {
                continue;
            }

            foreach (var endpoint in slice.Endpoints ?? [])
            {
                if (endpoint.Addresses is not { Count: > 0 } addresses || !IPAddress.TryParse(addresses[0], out var address))
                {
                    continue;
                }

                var ready = endpoint.Conditions?.Ready ?? true;
                endpoints.Add(new ProxyEndpoint(
                    address,
                    number,
                    Ready: ready,
                    Serving: endpoint.Conditions?.Serving ?? ready,
                    Terminating: endpoint.Conditions?.Terminating ?? false,
                    NodeName: endpoint.NodeName));
            }
        }

        return endpoints;
    }

    private static bool TryProtocol(string? protocol, out ProxyProtocol result)
    {
        switch (protocol ?? "TCP")
        {
            case "TCP":
                result = ProxyProtocol.Tcp;
                return true;
            case "UDP":
                result = ProxyProtocol.Udp;
                return true;
            case "SCTP":
                result = ProxyProtocol.Sctp;
                return true;
            default:
                result = default;
                return false;
        }
    }
}
