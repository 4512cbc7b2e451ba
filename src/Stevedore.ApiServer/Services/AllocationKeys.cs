using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;

namespace Stevedore.ApiServer.Services;

/// <summary>The keys of <see cref="AllocationTable"/>: one per cluster IP and one per node port number.</summary>
public static class AllocationKeys
{
    public static string ForIP(IPAddress address) => "ip/" + address;

    /// <summary>Node ports are one pool whatever the protocol, as upstream's allocator.</summary>
    public static string ForPort(long port) => "port/" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Everything a stored Service holds: its cluster IPs, node ports and health check node port.</summary>
    public static IReadOnlyCollection<string> HeldBy(JsonObject service)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var spec = service.Obj("spec");
        if (spec is null)
        {
            return keys;
        }

        if (spec.Str("type") != "ExternalName")
        {
            var ips = spec.Arr("clusterIPs")?.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).ToList() ?? [];
            if (ips.Count == 0 && spec.Str("clusterIP") is { } single)
            {
                ips.Add(single);
            }

            foreach (var ip in ips)
            {
                if (ip is not null && IPAddress.TryParse(ip, out var address))
                {
                    keys.Add(ForIP(address));
                }
            }
        }

        foreach (var port in spec.Arr("ports").Objects())
        {
            if (port.Int("nodePort") is { } nodePort and > 0)
            {
                keys.Add(ForPort(nodePort));
            }
        }

        if (spec.Int("healthCheckNodePort") is { } healthCheck and > 0)
        {
            keys.Add(ForPort(healthCheck));
        }

        return keys;
    }
}
