using System.Net.Sockets;

namespace Stevedore.Network.Proxy;

/// <summary>
/// Which endpoints receive traffic, as upstream's kube-proxy decides: the ready ones; when none is
/// ready, the ones still serving while terminating (so a rolling update or a scale-down does not drop
/// connections while the old pods drain). A <c>Local</c> policy applies the same rule to this node's
/// endpoints only.
/// </summary>
public static class EndpointSelection
{
    /// <summary>The endpoints that get new connections out of <paramref name="endpoints"/>, in a stable order, one per address and port.</summary>
    public static IReadOnlyList<ProxyEndpoint> Usable(IEnumerable<ProxyEndpoint> endpoints)
    {
        // The same address in two slices (a slice being replaced): the most usable copy counts.
        var unique = new Dictionary<(uint Address, int Port), ProxyEndpoint>();
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Address.AddressFamily != AddressFamily.InterNetwork || endpoint.Port is < 1 or > 65535)
            {
                continue;
            }

            var key = (SortKey(endpoint.Address), endpoint.Port);
            if (!unique.TryGetValue(key, out var seen) || Rank(endpoint) > Rank(seen))
            {
                unique[key] = endpoint;
            }
        }

        var ready = unique.Where(e => e.Value.Ready).ToList();
        var chosen = ready.Count > 0 ? ready : [.. unique.Where(e => e.Value.Serving && e.Value.Terminating)];
        chosen.Sort((x, y) => x.Key.CompareTo(y.Key));
        return [.. chosen.Select(e => e.Value)];
    }

    /// <summary>The usable endpoints on <paramref name="nodeName"/>.</summary>
    public static IReadOnlyList<ProxyEndpoint> UsableLocal(IEnumerable<ProxyEndpoint> endpoints, string? nodeName) =>
        Usable(endpoints.Where(e => nodeName is not null && e.NodeName == nodeName));

    private static int Rank(ProxyEndpoint endpoint) => (endpoint.Ready ? 2 : 0) + (endpoint.Serving ? 1 : 0);

    private static uint SortKey(System.Net.IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }
}
