using System.Net;
using k8s.Models;
using Stevedore.Network.Dns;

namespace Stevedore.Kubelet.Dns;

/// <summary>Services and EndpointSlices (the API's types) to the plain records the DNS builds its zone from. Pure.</summary>
public static class DnsRecordMapping
{
    /// <summary>The label that ties an EndpointSlice to its Service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>Every Service with the endpoints of the slices labelled with its name in its namespace.</summary>
    public static IReadOnlyList<DnsService> Map(IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice> slices)
    {
        ArgumentNullException.ThrowIfNull(services);
        var byService = GroupByService(slices);
        var result = new List<DnsService>();
        foreach (var service in services)
        {
            var key = (service.Metadata?.NamespaceProperty ?? "", service.Metadata?.Name ?? "");
            if (ToDnsService(service, byService.GetValueOrDefault(key) ?? []) is { } mapped)
            {
                result.Add(mapped);
            }
        }

        return result;
    }

    /// <summary>The slices of each Service, by (namespace, Service name) from their <c>kubernetes.io/service-name</c> label.</summary>
    public static Dictionary<(string Namespace, string Name), List<V1EndpointSlice>> GroupByService(IEnumerable<V1EndpointSlice> slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        var byService = new Dictionary<(string, string), List<V1EndpointSlice>>();
        foreach (var slice in slices)
        {
            if (slice.Metadata?.Labels?.TryGetValue(ServiceNameLabel, out var name) == true && slice.Metadata.NamespaceProperty is { } ns)
            {
                if (!byService.TryGetValue((ns, name), out var list))
                {
                    byService[(ns, name)] = list = [];
                }

                list.Add(slice);
            }
        }

        return byService;
    }

    /// <summary>One Service with its slices; null for a Service DNS cannot publish yet (no cluster IP allocated, no name).</summary>
    public static DnsService? ToDnsService(V1Service service, IReadOnlyList<V1EndpointSlice> slices)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(slices);
        if (service.Metadata?.Name is not { Length: > 0 } name || service.Metadata.NamespaceProperty is not { Length: > 0 } ns || service.Spec is not { } spec)
        {
            return null;
        }

        var kind = spec.Type == "ExternalName" ? DnsServiceKind.ExternalName
            : spec.ClusterIP == "None" ? DnsServiceKind.Headless
            : DnsServiceKind.ClusterIP;
        var clusterIps = new List<IPAddress>();
        if (kind == DnsServiceKind.ClusterIP)
        {
            foreach (var text in spec.ClusterIPs is { Count: > 0 } list ? list : [spec.ClusterIP])
            {
                if (IPAddress.TryParse(text, out var ip))
                {
                    clusterIps.Add(ip);
                }
            }

            if (clusterIps.Count == 0)
            {
                return null;
            }
        }

        return new DnsService
        {
            Namespace = ns,
            Name = name,
            Kind = kind,
            ClusterIPs = clusterIps,
            ExternalName = kind == DnsServiceKind.ExternalName ? spec.ExternalName : null,
            Ports = [.. (spec.Ports ?? []).Select(p => new DnsPort(p.Name ?? "", p.Protocol ?? "TCP", p.Port))],
            PublishNotReadyAddresses = spec.PublishNotReadyAddresses == true,
            Endpoints = kind == DnsServiceKind.ExternalName ? [] : [.. slices.SelectMany(Endpoints)],
        };
    }

    private static IEnumerable<DnsEndpoint> Endpoints(V1EndpointSlice slice)
    {
        // FQDN slices name hosts, not addresses: nothing DNS could answer with.
        if (slice.AddressType is not ("IPv4" or "IPv6") || slice.Metadata?.DeletionTimestamp is not null)
        {
            yield break;
        }

        var ports = (slice.Ports ?? []).Where(p => p.Port is not null).Select(p => new DnsPort(p.Name ?? "", p.Protocol ?? "TCP", p.Port!.Value)).ToList();
        foreach (var endpoint in slice.Endpoints ?? [])
        {
            var addresses = (endpoint.Addresses ?? []).Select(a => IPAddress.TryParse(a, out var ip) ? ip : null).OfType<IPAddress>().ToList();
            if (addresses.Count > 0)
            {
                // The API: a ready condition left unset means ready.
                yield return new DnsEndpoint(addresses, endpoint.Hostname, endpoint.Conditions?.Ready ?? true, ports);
            }
        }
    }
}
