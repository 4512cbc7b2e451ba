using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stevedore.Network.Routes;

/// <summary>
/// Host routes to other nodes' pod CIDRs through their node addresses (what flannel's host-gw backend
/// does), installed with the <c>ip</c> command. Every route carries a routing protocol number of its
/// own, so the set Stevedore owns can be listed and reconciled without touching anyone else's routes.
/// All operations are idempotent.
/// </summary>
public sealed class NodeRoutes
{
    /// <summary>The routing protocol number marking Stevedore's routes (unassigned in iproute2's rt_protos).</summary>
    public const int DefaultProtocol = 180;

    /// <summary>Manages the routes marked with <paramref name="protocol"/>.</summary>
    public NodeRoutes(int protocol = DefaultProtocol)
    {
        // 0-4 are the kernel's own (unspec, redirect, kernel, boot, static); 255 is reserved.
        if (protocol is < 5 or > 254)
        {
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "a route protocol number from 5 to 254");
        }

        Protocol = protocol;
    }

    /// <summary>The routing protocol number of the routes this instance owns.</summary>
    public int Protocol { get; }

    /// <summary>Installs (or updates) the route; a route already there is left as is.</summary>
    public Task AddAsync(NodeRoute route, CancellationToken cancellationToken) =>
        HostCommand.RunCheckedAsync("ip", [Family(route), "route", "replace", Destination(route), "via", route.NodeIp.ToString(), "proto", ProtocolText], null, cancellationToken);

    /// <summary>Removes the route; nothing happens when it is not there.</summary>
    public async Task RemoveAsync(NodeRoute route, CancellationToken cancellationToken)
    {
        string[] args = [Family(route), "route", "del", Destination(route), "via", route.NodeIp.ToString(), "proto", ProtocolText];
        var (exitCode, _, stderr) = await HostCommand.RunAsync("ip", args, null, cancellationToken);
        if (exitCode != 0 && (await ListAsync(cancellationToken)).Contains(route))
        {
            throw new NetworkCommandException("ip", args, exitCode, stderr.Trim());
        }
    }

    /// <summary>The routes this instance owns (both address families).</summary>
    public async Task<IReadOnlyList<NodeRoute>> ListAsync(CancellationToken cancellationToken)
    {
        var routes = new List<NodeRoute>();
        foreach (var family in new[] { "-4", "-6" })
        {
            var output = await HostCommand.RunCheckedAsync("ip", ["-j", family, "route", "show", "proto", ProtocolText], null, cancellationToken);
            routes.AddRange(ParseRoutes(output));
        }

        return routes;
    }

    /// <summary>
    /// Makes the owned routes exactly <paramref name="desired"/>: adds the missing ones, moves changed
    /// ones to their new node address, removes the rest.
    /// </summary>
    public async Task SyncAsync(IEnumerable<NodeRoute> desired, CancellationToken cancellationToken)
    {
        var wanted = desired.ToList();
        var duplicate = wanted.GroupBy(r => r.PodCidr).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"pod CIDR {duplicate.Key} is claimed by several nodes: {string.Join(", ", duplicate.Select(r => r.NodeIp))}");
        }

        var current = await ListAsync(cancellationToken);
        foreach (var route in wanted.Where(r => !current.Contains(r)))
        {
            await AddAsync(route, cancellationToken);
        }

        foreach (var stale in current.Where(r => !wanted.Any(w => w.PodCidr.Equals(r.PodCidr))))
        {
            await RemoveAsync(stale, cancellationToken);
        }
    }

    /// <summary>Reads <c>ip -j route show</c> output; routes without a gateway (not ours to manage) are skipped.</summary>
    public static IReadOnlyList<NodeRoute> ParseRoutes(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        var routes = new List<NodeRoute>();
        try
        {
            foreach (var entry in JsonNode.Parse(json) as JsonArray ?? [])
            {
                var dst = entry?["dst"]?.GetValue<string>();
                var gateway = entry?["gateway"]?.GetValue<string>();
                if (dst is null || gateway is null || !IPAddress.TryParse(gateway, out var via))
                {
                    continue;
                }

                // ip prints a host route without its prefix length.
                var cidr = dst.Contains('/', StringComparison.Ordinal) ? dst : dst + "/" + Cidr.MaxPrefix(via).ToString(CultureInfo.InvariantCulture);
                routes.Add(new NodeRoute(Cidr.Parse(cidr, "route destination"), via));
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new FormatException("unexpected output from ip -j route: " + ex.Message, ex);
        }

        return routes;
    }

    private string ProtocolText => Protocol.ToString(CultureInfo.InvariantCulture);

    private static string Family(NodeRoute route) => route.PodCidr.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? "-6" : "-4";

    private static string Destination(NodeRoute route) => $"{route.PodCidr.BaseAddress}/{route.PodCidr.PrefixLength}";
}
