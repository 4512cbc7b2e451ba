using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Stevedore.Network.Proxy;

/// <summary>
/// Turns the services of a node into the content of the proxy's nftables table (pure; no I/O).
/// The shape follows kube-proxy's nftables mode:
/// <list type="bullet">
/// <item><c>nat-prerouting</c> (pods, other hosts) and <c>nat-output</c> (the node's own processes)
/// look <c>daddr . l4proto . dport</c> up in the verdict map <c>service-ips</c> (cluster IPs and
/// external addresses) and, for the node's own addresses except 127/8, <c>l4proto . dport</c> in
/// <c>service-nodeports</c>.</item>
/// <item>A service port's chain picks an endpoint with <c>numgen random mod N</c> and DNATs to it;
/// with session affinity each endpoint has a chain of its own that records the client in a timed set,
/// and a client found in one of those sets goes straight back to that endpoint.</item>
/// <item>Masquerading is asked for with a mark bit and done in <c>nat-postrouting</c>: traffic to a
/// cluster IP from outside the pod networks, node port and external traffic (unless the external
/// policy is <c>Local</c>, which keeps the client address), and hairpin traffic (a pod reaching
/// itself through its own Service).</item>
/// <item>Filter chains (before the egress guard, after DNAT) refuse new connections to service ports
/// without endpoints (TCP reset, ICMP port unreachable otherwise), refuse ports a cluster IP does not
/// have, and drop unallocated addresses of the service ranges.</item>
/// </list>
/// </summary>
public static class ProxyRenderer
{
    public const string ServiceIpsMap = "service-ips";
    public const string NodePortsMap = "service-nodeports";
    public const string NoEndpointServicesMap = "no-endpoint-services";
    public const string NoEndpointNodePortsMap = "no-endpoint-nodeports";
    public const string ClusterIpsSet = "cluster-ips";
    public const string ServiceCidrsSet = "service-cidrs";
    public const string ClusterCidrsSet = "cluster-cidrs";
    public const string HairpinSet = "hairpin-endpoints";
    public const string MarkForMasqueradeChain = "mark-for-masquerade";
    public const string MasqueradingChain = "masquerading";
    public const string ServicesChain = "services";
    public const string RejectChain = "reject-chain";
    public const string ClusterIpsCheckChain = "cluster-ips-check";

    // After DNAT (-100), before the egress guard (filter - 10): a connection to a Service without
    // endpoints is refused here instead of being dropped there, so clients fail at once.
    private const string FilterPriority = "-20";

    private const string ServiceKeyType = "ipv4_addr . inet_proto . inet_service";
    private const string NodePortKeyType = "inet_proto . inet_service";

    /// <summary>Renders <paramref name="services"/> for this node. Unusable or clashing service ports are listed in <see cref="ProxyRuleSet.Problems"/>.</summary>
    public static ProxyRuleSet Render(IEnumerable<ProxyService> services, ServiceProxyOptions options)
    {
        var context = new RenderContext(options);
        foreach (var service in services.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            RenderService(context, service);
        }

        var rules = context.Rules;
        rules.Add(Map(ServiceIpsMap, ServiceKeyType, context.ServiceIps));
        rules.Add(Map(NodePortsMap, NodePortKeyType, context.NodePorts));
        rules.Add(Map(NoEndpointServicesMap, ServiceKeyType, context.NoEndpointServices));
        rules.Add(Map(NoEndpointNodePortsMap, NodePortKeyType, context.NoEndpointNodePorts));
        rules.Add(new NftSet(ClusterIpsSet, false, "{ type ipv4_addr ; }", context.ClusterIps));
        rules.Add(new NftSet(HairpinSet, false, "{ type ipv4_addr . ipv4_addr ; }", context.Hairpin));
        rules.Add(new NftSet(ServiceCidrsSet, false, "{ type ipv4_addr ; flags interval ; auto-merge ; }", Networks(options.ServiceCidrs)));
        rules.Add(new NftSet(ClusterCidrsSet, false, "{ type ipv4_addr ; flags interval ; auto-merge ; }", Networks(options.ClusterCidrs)));
        RenderFixedChains(rules, options);
        return rules;
    }

    private static void RenderFixedChains(ProxyRuleSet rules, ServiceProxyOptions options)
    {
        var mark = "0x" + options.MasqueradeMark.ToString("x", CultureInfo.InvariantCulture);
        rules.Add(new NftChain("nat-prerouting", [$"jump {ServicesChain}"], "type nat hook prerouting priority -100 ; policy accept ;"));
        rules.Add(new NftChain("nat-output", [$"jump {ServicesChain}"], "type nat hook output priority -100 ; policy accept ;"));
        rules.Add(new NftChain("nat-postrouting", [$"jump {MasqueradingChain}"], "type nat hook postrouting priority 100 ; policy accept ;"));
        rules.Add(new NftChain(ServicesChain,
        [
            $"ip daddr . meta l4proto . th dport vmap @{ServiceIpsMap}",
            $"fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @{NodePortsMap}",
        ]));
        rules.Add(new NftChain(MarkForMasqueradeChain, [$"meta mark set meta mark or {mark}"]));
        rules.Add(new NftChain(MasqueradingChain,
        [
            // Hairpin: DNAT sent the packet back to its sender, which would drop a packet "from itself".
            $"ct status dnat ip saddr . ip daddr @{HairpinSet} jump {MarkForMasqueradeChain}",
            $"meta mark & {mark} == 0 return",
            $"meta mark set meta mark xor {mark}",
            // Delivered on this node (an endpoint on a node address): replies never leave, nothing to rewrite.
            "oifname \"lo\" return",
            "masquerade fully-random",
        ]));
        rules.Add(new NftChain(RejectChain, ["meta l4proto tcp reject with tcp reset", "reject"]));
        rules.Add(new NftChain(ClusterIpsCheckChain,
        [
            // Addresses the node serves itself (cluster DNS) are not the proxy's business.
            "fib daddr type local return",
            $"ip daddr @{ClusterIpsSet} goto {RejectChain}",
            $"ip daddr @{ServiceCidrsSet} drop",
        ]));
        var noEndpoints = $"ct state new ip daddr . meta l4proto . th dport vmap @{NoEndpointServicesMap}";
        rules.Add(new NftChain("filter-input",
        [
            noEndpoints,
            $"ct state new fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @{NoEndpointNodePortsMap}",
        ], $"type filter hook input priority {FilterPriority} ; policy accept ;"));
        rules.Add(new NftChain("filter-forward", [noEndpoints, $"ct state new jump {ClusterIpsCheckChain}"], $"type filter hook forward priority {FilterPriority} ; policy accept ;"));
        rules.Add(new NftChain("filter-output", [noEndpoints, $"ct state new jump {ClusterIpsCheckChain}"], $"type filter hook output priority {FilterPriority} ; policy accept ;"));
    }

    private static void RenderService(RenderContext context, ProxyService service)
    {
        if (service.ClusterIP.AddressFamily != AddressFamily.InterNetwork)
        {
            context.Rules.Problem($"{service.Key}: cluster IP {service.ClusterIP} is not IPv4; only IPv4 Services are proxied");
            return;
        }

        if (service.Port is < 1 or > 65535 || service.NodePort is < 0 or > 65535)
        {
            context.Rules.Problem($"{service.Key}: port {service.Port} / node port {service.NodePort} out of range");
            return;
        }

        var proto = Protocol(service.Protocol);
        var all = EndpointSelection.Usable(service.Endpoints);
        var local = service.InternalTrafficLocal || service.ExternalTrafficLocal ? EndpointSelection.UsableLocal(service.Endpoints, context.Options.NodeName) : all;
        var clusterPath = service.InternalTrafficLocal ? local : all;
        var externalPath = service.ExternalTrafficLocal ? local : all;
        var id = Hash(service.Key);
        var name = Sanitize(service.Key);
        var affinity = service.SessionAffinityTimeout is { } timeout ? Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)) : (int?)null;

        foreach (var endpoint in clusterPath.Concat(externalPath).Distinct())
        {
            var pair = $"{endpoint.Address} . {endpoint.Address}";
            context.Hairpin.TryAdd(pair, null);
        }

        var endpointChains = new Dictionary<ProxyEndpoint, (string Chain, string AffinitySet)>();
        if (affinity is { } seconds)
        {
            foreach (var endpoint in all.Concat(local).Distinct())
            {
                var endpointName = $"{name}__{endpoint.Address}/{endpoint.Port}";
                var endpointId = Hash($"{service.Key}|{endpoint}|{seconds}");
                var chain = $"ep-{endpointId}-{endpointName}";
                var affinitySet = $"aff-{endpointId}-{endpointName}";
                context.Rules.Add(new NftSet(affinitySet, false, $"{{ type ipv4_addr ; flags dynamic,timeout ; timeout {seconds}s ; }}", null));
                context.Rules.Add(new NftChain(chain, [$"update @{affinitySet} {{ ip saddr }}", Dnat(proto, [endpoint])]));
                endpointChains[endpoint] = (chain, affinitySet);
            }
        }

        List<string> Balance(IReadOnlyList<ProxyEndpoint> endpoints)
        {
            if (affinity is null)
            {
                return [Dnat(proto, endpoints)];
            }

            var balance = endpoints.Select(e => $"ip saddr @{endpointChains[e].AffinitySet} goto {endpointChains[e].Chain}").ToList();
            balance.Add(endpoints.Count == 1
                ? $"goto {endpointChains[endpoints[0]].Chain}"
                : $"numgen random mod {endpoints.Count} vmap {{ {string.Join(", ", endpoints.Select((e, i) => $"{i} : goto {endpointChains[e].Chain}"))} }}");
            return balance;
        }

        var clusterIp = service.ClusterIP.ToString();
        if (!context.LocallyServed.Contains(service.ClusterIP))
        {
            var key = $"{clusterIp} . {proto} . {service.Port}";
            var serviceChain = $"svc-{id}-{name}";
            if (all.Count == 0)
            {
                context.Claim(context.NoEndpointServices, key, $"goto {RejectChain}", service.Key);
            }
            else if (clusterPath.Count == 0)
            {
                // internalTrafficPolicy: Local without an endpoint here: dropped, as upstream.
                context.Claim(context.NoEndpointServices, key, "drop", service.Key);
            }
            else if (context.Claim(context.ServiceIps, key, $"goto {serviceChain}", service.Key))
            {
                var rules = new List<string>();
                if (context.Options.ClusterCidrs.Count > 0)
                {
                    rules.Add($"ip saddr != @{ClusterCidrsSet} jump {MarkForMasqueradeChain}");
                }

                rules.AddRange(Balance(clusterPath));
                context.Rules.Add(new NftChain(serviceChain, rules));
            }

            context.ClusterIps.TryAdd(clusterIp, null);
        }

        if (!service.IsExternallyReachable)
        {
            return;
        }

        var externalKeys = service.ExternalAddresses
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork)
            .Select(a => $"{a} . {proto} . {service.Port}")
            .Distinct()
            .ToList();
        var nodePortKey = $"{proto} . {service.NodePort}";
        if (all.Count == 0)
        {
            foreach (var key in externalKeys)
            {
                context.Claim(context.NoEndpointServices, key, $"goto {RejectChain}", service.Key);
            }

            if (service.NodePort != 0)
            {
                context.Claim(context.NoEndpointNodePorts, nodePortKey, $"goto {RejectChain}", service.Key);
            }

            return;
        }

        var externalChain = $"ext-{id}-{name}";
        var externalRules = new List<string>();
        if (service.ExternalTrafficLocal)
        {
            // Pods and the node's own processes have no "external" client address to keep: they use every endpoint.
            var allChain = $"all-{id}-{name}";
            context.Rules.Add(new NftChain(allChain, Balance(all)));
            if (context.Options.ClusterCidrs.Count > 0)
            {
                externalRules.Add($"ip saddr @{ClusterCidrsSet} goto {allChain}");
            }

            externalRules.Add($"fib saddr type local jump {MarkForMasqueradeChain}");
            externalRules.Add($"fib saddr type local goto {allChain}");
            externalRules.AddRange(externalPath.Count > 0 ? Balance(externalPath) : ["drop"]);
        }
        else
        {
            externalRules.Add($"jump {MarkForMasqueradeChain}");
            externalRules.AddRange(Balance(externalPath));
        }

        var used = false;
        foreach (var key in externalKeys)
        {
            used |= context.Claim(context.ServiceIps, key, $"goto {externalChain}", service.Key);
        }

        if (service.NodePort != 0)
        {
            used |= context.Claim(context.NodePorts, nodePortKey, $"goto {externalChain}", service.Key);
        }

        if (used)
        {
            context.Rules.Add(new NftChain(externalChain, externalRules));
        }
    }

    /// <summary>The DNAT rule to one endpoint, or to one of several picked at random.</summary>
    private static string Dnat(string proto, IReadOnlyList<ProxyEndpoint> endpoints) => endpoints.Count == 1
        ? $"meta l4proto {proto} dnat to {endpoints[0].Address}:{endpoints[0].Port}"
        : $"meta l4proto {proto} dnat to numgen random mod {endpoints.Count} map {{ {string.Join(", ", endpoints.Select((e, i) => $"{i} : {e.Address} . {e.Port}"))} }}";

    private static NftSet Map(string name, string keyType, Dictionary<string, string?> elements) =>
        new(name, true, $"{{ type {keyType} : verdict ; }}", elements);

    private static Dictionary<string, string?> Networks(IEnumerable<IPNetwork> networks) =>
        networks.Where(n => n.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
            .Select(n => $"{n.BaseAddress}/{n.PrefixLength}")
            .Distinct()
            .ToDictionary(n => n, _ => (string?)null, StringComparer.Ordinal);

    private static string Protocol(ProxyProtocol protocol) => protocol switch
    {
        ProxyProtocol.Tcp => "tcp",
        ProxyProtocol.Udp => "udp",
        ProxyProtocol.Sctp => "sctp",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "unknown protocol"),
    };

    /// <summary>8 characters that keep a chain name unique even if the readable part is cut short or sanitised.</summary>
    internal static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 4);

    /// <summary>The readable part of a name: what nft accepts in an identifier, at most 160 characters.</summary>
    internal static string Sanitize(string text)
    {
        var clean = new string([.. text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.' ? c : '_')]);
        return clean.Length <= 160 ? clean : clean[..160];
    }

    private sealed class RenderContext(ServiceProxyOptions options)
    {
        private readonly Dictionary<string, string> _owners = new(StringComparer.Ordinal);

        public ServiceProxyOptions Options { get; } = options;

        public ProxyRuleSet Rules { get; } = new();

        public HashSet<IPAddress> LocallyServed { get; } = [.. options.LocallyServedAddresses];

        public Dictionary<string, string?> ServiceIps { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string?> NodePorts { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string?> NoEndpointServices { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string?> NoEndpointNodePorts { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string?> ClusterIps { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string?> Hairpin { get; } = new(StringComparer.Ordinal);

        /// <summary>
        /// Gives <paramref name="key"/> (an address, protocol and port, or a node port) to
        /// <paramref name="owner"/> unless another service port holds it already; the first in key
        /// order keeps it (the kernel would refuse both). Returns whether the claim succeeded.
        /// </summary>
        public bool Claim(Dictionary<string, string?> map, string key, string verdict, string owner)
        {
            var space = ReferenceEquals(map, NodePorts) || ReferenceEquals(map, NoEndpointNodePorts) ? "nodeport " + key : key;
            if (_owners.TryGetValue(space, out var holder))
            {
                if (holder != owner)
                {
                    Rules.Problem($"{owner}: {key} is already used by {holder}; left out");
                }

                return false;
            }

            _owners[space] = owner;
            map[key] = verdict;
            return true;
        }
    }
}
