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
        var unique = endpoints
            .Where(e => e.Address.AddressFamily == AddressFamily.InterNetwork && e.Port is > 0 and <= 65535)
            .GroupBy(e => (e.Address, e.Port))
            // The same address in two slices (a slice being replaced): the most usable copy counts.
            .Select(g => g.OrderByDescending(e => e.Ready).ThenByDescending(e => e.Serving).First())
            .ToList();
        var ready = unique.Where(e => e.Ready).ToList();
        var chosen = ready.Count > 0 ? ready : unique.Where(e => e.Serving && e.Terminating).ToList();
        return [.. chosen.OrderBy(e => e.Address.GetAddressBytes(), ByteOrder.Instance).ThenBy(e => e.Port)];
    }

    /// <summary>The usable endpoints on <paramref name="nodeName"/>.</summary>
    public static IReadOnlyList<ProxyEndpoint> UsableLocal(IEnumerable<ProxyEndpoint> endpoints, string? nodeName) =>
        Usable(endpoints.Where(e => nodeName is not null && e.NodeName == nodeName));

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x is null || y is null ? Comparer<byte[]?>.Default.Compare(x, y) : x.AsSpan().SequenceCompareTo(y);
    }
}
