using System.Globalization;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Printing;

/// <summary>Services, Endpoints, EndpointSlices, Ingresses, IngressClasses, NetworkPolicies.</summary>
internal static class NetworkPrinters
{
    public static readonly KindPrinter Service = new(
    [
        Columns.Name,
        Columns.Text("Type", "type determines how the Service is exposed."),
        Columns.Text("Cluster-IP", "clusterIP is the IP address of the service, usually assigned randomly."),
        Columns.Text("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
        Columns.Text("Port(s)", "The list of ports that are exposed by this service."),
        Columns.Age,
        Columns.Selector("Route service traffic to pods with label keys and values matching this selector."),
    ], (o, now) =>
    [
        Meta.Name(o), o.Str("spec", "type") ?? "ClusterIP", ClusterIp(o), ServiceExternalIp(o), ServicePorts(o), Meta.Age(o, now),
        Formats.Labels(o.StringMap("spec", "selector")),
    ]);

    public static readonly KindPrinter Endpoints = new(
    [
        Columns.Name,
        Columns.Text("Endpoints", "The set of all endpoints is the union of all subsets."),
        Columns.Age,
    ], (o, now) => [Meta.Name(o), FormatEndpoints(o), Meta.Age(o, now)]);

    public static readonly KindPrinter EndpointSlice = new(
    [
        Columns.Name,
        Columns.Text("AddressType", "addressType specifies the type of address carried by this EndpointSlice."),
        Columns.Text("Ports", "ports specifies the list of network ports exposed by each endpoint in this slice."),
        Columns.Text("Endpoints", "endpoints is a list of unique endpoints in this slice."),
        Columns.Age,
    ], (o, now) =>
    [
        Meta.Name(o), o.S("addressType"),
        Formats.ListWithMore([.. o.Items("ports").Select(p => p.Long("port") is { } n ? Formats.Invariant(n) : p.Str("name") ?? "*")]),
        Formats.ListWithMore([.. o.Items("endpoints").SelectMany(e => e.Arr("addresses") ?? []).Select(a => a?.ToString() ?? "")]),
        Meta.Age(o, now),
    ]);

    public static readonly KindPrinter Ingress = new(
    [
        Columns.Name,
        Columns.Text("Class", "The name of the IngressClass resource that should be used for additional configuration"),
        Columns.Text("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
        Columns.Text("Address", "Address is a list containing ingress points for the load-balancer"),
        Columns.Text("Ports", "Ports of TLS configurations that open"),
        Columns.Age,
    ], (o, now) =>
    [
        Meta.Name(o), o.Str("spec", "ingressClassName") ?? Formats.None, IngressHosts(o), Formats.LoadBalancerIngress(o.At("status", "loadBalancer")),
        o.Count("spec", "tls") > 0 ? "80, 443" : "80", Meta.Age(o, now),
    ]);

    public static readonly KindPrinter IngressClass = new(
    [
        Columns.Name,
        Columns.Text("Controller", "Controller that is responsible for handling this class"),
        Columns.Text("Parameters", "A reference to a resource with additional parameters"),
        Columns.Age,
    ], (o, now) => [Meta.Name(o), o.S("spec", "controller"), IngressClassParameters(o), Meta.Age(o, now)]);

    public static readonly KindPrinter NetworkPolicy = new(
    [
        Columns.Name,
        Columns.Text("Pod-Selector", "Selects the pods to which this NetworkPolicy object applies."),
        Columns.Age,
    ], (o, now) => [Meta.Name(o), Formats.LabelSelector(o.Obj("spec", "podSelector") ?? []), Meta.Age(o, now)]);

    /// <summary>The PORT(S) cell: "80/TCP", "80:30080/TCP" for node ports, comma-joined; &lt;none&gt; without ports.</summary>
    internal static string ServicePorts(JsonObject service)
    {
        var text = string.Join(",", service.Items("spec", "ports").Select(p =>
        {
            // v1 defaults the protocol to TCP.
            var protocol = p.Str("protocol") is { Length: > 0 } proto ? proto : "TCP";
            return p.L("nodePort") > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{p.L("port")}:{p.L("nodePort")}/{protocol}")
                : string.Create(CultureInfo.InvariantCulture, $"{p.L("port")}/{protocol}");
        }));
        return text.Length == 0 ? Formats.None : text;
    }

    /// <summary>The EXTERNAL-IP cell: external IPs, load-balancer ingress, &lt;pending&gt;, or the external name.</summary>
    internal static string ServiceExternalIp(JsonObject service)
    {
        var externalIps = service.Arr("spec", "externalIPs")?.Select(ip => ip?.ToString() ?? "").ToList() ?? [];
        switch (service.Str("spec", "type") ?? "ClusterIP")
        {
            case "ClusterIP":
            case "NodePort":
                return externalIps.Count > 0 ? string.Join(",", externalIps) : Formats.None;
            case "LoadBalancer":
                var ingress = Formats.LoadBalancerIngress(service.At("status", "loadBalancer"));
                if (externalIps.Count > 0)
                {
                    return string.Join(",", (ingress.Length > 0 ? ingress.Split(',') : []).Concat(externalIps));
                }
                return ingress.Length > 0 ? ingress : "<pending>";
            case "ExternalName":
                return service.S("spec", "externalName");
            default:
                return Formats.Unknown;
        }
    }

    private static string ClusterIp(JsonObject service) =>
        service.Arr("spec", "clusterIPs")?.FirstOrDefault()?.ToString() is { Length: > 0 } first ? first
        : service.Str("spec", "clusterIP") is { Length: > 0 } single ? single
        : Formats.None;

    /// <summary>Up to three addresses (with ports), then "+ N more...".</summary>
    private static string FormatEndpoints(JsonObject endpoints)
    {
        var subsets = endpoints.Items("subsets").ToList();
        if (subsets.Count == 0)
        {
            return Formats.None;
        }
        const int max = 3;
        var list = new List<string>();
        var count = 0;
        foreach (var subset in subsets)
        {
            var addresses = subset.Items("addresses").Select(a => a.S("ip")).ToList();
            var ports = subset.Items("ports").ToList();
            if (ports.Count == 0)
            {
                // Headless services may have no ports.
                count += addresses.Count;
                list.AddRange(addresses.Take(max - list.Count));
                continue;
            }
            foreach (var port in ports)
            {
                count += addresses.Count;
                list.AddRange(addresses.Take(max - list.Count).Select(ip => JoinHostPort(ip, port.L("port"))));
            }
        }
        var text = string.Join(",", list);
        return count > max ? text + $" + {Formats.Invariant(count - max)} more..." : text;
    }

    private static string JoinHostPort(string host, long port) =>
        (host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host) + ":" + Formats.Invariant(port);

    private static string IngressHosts(JsonObject ingress)
    {
        const int max = 3;
        var rules = ingress.Items("spec", "rules").ToList();
        var hosts = new List<string>();
        var more = false;
        foreach (var rule in rules)
        {
            if (hosts.Count == max)
            {
                more = true;
            }
            if (!more && rule.Str("host") is { Length: > 0 } host)
            {
                hosts.Add(host);
            }
        }
        if (hosts.Count == 0)
        {
            return "*";
        }
        var text = string.Join(",", hosts);
        return more ? text + $" + {Formats.Invariant(rules.Count - max)} more..." : text;
    }

    private static string IngressClassParameters(JsonObject ingressClass)
    {
        if (ingressClass.Obj("spec", "parameters") is not { } parameters)
        {
            return Formats.None;
        }
        var text = parameters.S("kind");
        if (parameters.Str("apiGroup") is { } group)
        {
            text += "." + group;
        }
        return text + "/" + parameters.S("name");
    }
}
