using System.Net;
using System.Net.Sockets;

namespace Stevedore.HollowNodes;

/// <summary>
/// Hands out IPv4 addresses from one node's pod CIDR, lowest free first. The network address
/// and the first host (conventionally the bridge gateway) and the broadcast address are never
/// given out. Thread-safe.
/// </summary>
public sealed class PodIpAllocator
{
    private readonly Lock _lock = new();
    private readonly uint _first;
    private readonly uint _last;
    private readonly Dictionary<string, uint> _byOwner = new(StringComparer.Ordinal);
    private readonly HashSet<uint> _used = [];

    /// <summary>An allocator for <paramref name="cidr"/> (IPv4, e.g. 10.244.3.0/24).</summary>
    public PodIpAllocator(string cidr)
    {
        Cidr = cidr;
        var (network, prefix) = Parse(cidr);
        var size = prefix == 0 ? uint.MaxValue : (1u << (32 - prefix)) - 1;
        var start = network & ~size;
        if (size < 3)
        {
            throw new ArgumentException($"pod CIDR {cidr} is too small", nameof(cidr));
        }

        _first = start + 2;
        _last = start + size - 1;
    }

    /// <summary>The range this allocator serves.</summary>
    public string Cidr { get; }

    /// <summary>How many addresses are in use.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _used.Count;
            }
        }
    }

    /// <summary>The address of <paramref name="owner"/> (a pod UID), allocating one if it has none; null when the range is full.</summary>
    public string? Allocate(string owner)
    {
        lock (_lock)
        {
            if (_byOwner.TryGetValue(owner, out var existing))
            {
                return Format(existing);
            }

            for (var candidate = _first; candidate <= _last; candidate++)
            {
                if (_used.Add(candidate))
                {
                    _byOwner[owner] = candidate;
                    return Format(candidate);
                }
            }

            return null;
        }
    }

    /// <summary>Records that <paramref name="owner"/> already holds <paramref name="ip"/> (e.g. after a restart); false if it is outside the range or taken by another owner.</summary>
    public bool Reserve(string owner, string ip)
    {
        if (!IPAddress.TryParse(ip, out var address) || address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        var value = ToUInt(address);
        lock (_lock)
        {
            if (value < _first || value > _last)
            {
                return false;
            }

            if (_byOwner.TryGetValue(owner, out var existing))
            {
                return existing == value;
            }

            if (!_used.Add(value))
            {
                return false;
            }

            _byOwner[owner] = value;
            return true;
        }
    }

    /// <summary>Frees <paramref name="owner"/>'s address, if any.</summary>
    public void Release(string owner)
    {
        lock (_lock)
        {
            if (_byOwner.Remove(owner, out var value))
            {
                _used.Remove(value);
            }
        }
    }

    /// <summary>Whether <paramref name="ip"/> lies inside <paramref name="cidr"/>.</summary>
    public static bool Contains(string cidr, string ip)
    {
        var (network, prefix) = Parse(cidr);
        if (!IPAddress.TryParse(ip, out var address) || address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (ToUInt(address) & mask) == (network & mask);
    }

    private static (uint Network, int Prefix) Parse(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !IPAddress.TryParse(cidr.AsSpan(0, slash), out var address)
            || address.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(cidr.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix)
            || prefix > 32)
        {
            throw new FormatException($"not an IPv4 CIDR: '{cidr}'");
        }

        return (ToUInt(address), prefix);
    }

    private static uint ToUInt(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }

    private static string Format(uint value) => new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]).ToString();
}
