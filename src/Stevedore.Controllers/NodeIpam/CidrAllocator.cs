using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Stevedore.Controllers.NodeIpam;

/// <summary>
/// Hands out per-node pod CIDRs carved from the cluster CIDR (IPv4), lowest free block first, so
/// released blocks are reused. Holds no durable state: rebuild it from the nodes' spec.podCIDR(s)
/// on start (<see cref="Occupy"/>). Thread-safe.
/// </summary>
public sealed class CidrAllocator
{
    /// <summary>The k3s-style default cluster CIDR.</summary>
    public const string DefaultClusterCidr = "10.42.0.0/16";

    /// <summary>Default per-node mask: a /24, 254 pod addresses.</summary>
    public const int DefaultNodeMaskSize = 24;

    private readonly uint _base;
    private readonly int _clusterPrefix;
    private readonly int _nodePrefix;
    private readonly bool[] _used;
    private readonly Lock _gate = new();
    private int _usedCount;

    /// <summary>Creates an allocator for <paramref name="clusterCidr"/> with blocks of /<paramref name="nodeMaskSize"/>.</summary>
    public CidrAllocator(string clusterCidr = DefaultClusterCidr, int nodeMaskSize = DefaultNodeMaskSize)
    {
        (_base, _clusterPrefix) = Parse(clusterCidr);
        if (nodeMaskSize < _clusterPrefix || nodeMaskSize > 32 || nodeMaskSize - _clusterPrefix > 20)
        {
            throw new ArgumentOutOfRangeException(nameof(nodeMaskSize), $"node mask /{nodeMaskSize} does not fit in {clusterCidr}");
        }

        _nodePrefix = nodeMaskSize;
        _used = new bool[1 << (nodeMaskSize - _clusterPrefix)];
    }

    /// <summary>How many node blocks exist.</summary>
    public int Capacity => _used.Length;

    /// <summary>How many node blocks are taken.</summary>
    public int Used
    {
        get
        {
            lock (_gate)
            {
                return _usedCount;
            }
        }
    }

    /// <summary>Marks an existing node's CIDR as taken; false when it is not a block of this cluster CIDR.</summary>
    public bool Occupy(string cidr)
    {
        if (IndexOf(cidr) is not { } index)
        {
            return false;
        }

        lock (_gate)
        {
            if (!_used[index])
            {
                _used[index] = true;
                _usedCount++;
            }
        }

        return true;
    }

    /// <summary>The lowest free block, now taken; null when the cluster CIDR is exhausted.</summary>
    public string? AllocateNext()
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_used, false);
            if (index < 0)
            {
                return null;
            }

            _used[index] = true;
            _usedCount++;
            return Format(index);
        }
    }

    /// <summary>Frees a block (its node was deleted); false when it was not taken.</summary>
    public bool Release(string cidr)
    {
        if (IndexOf(cidr) is not { } index)
        {
            return false;
        }

        lock (_gate)
        {
            if (!_used[index])
            {
                return false;
            }

            _used[index] = false;
            _usedCount--;
            return true;
        }
    }

    private int? IndexOf(string cidr)
    {
        if (!TryParse(cidr, out var address, out var prefix) || prefix != _nodePrefix)
        {
            return null;
        }

        var clusterMask = _clusterPrefix == 0 ? 0u : uint.MaxValue << (32 - _clusterPrefix);
        if ((address & clusterMask) != _base || (address & ~(uint.MaxValue << (32 - _nodePrefix))) != 0)
        {
            return null;
        }

        return (int)((address - _base) >> (32 - _nodePrefix));
    }

    private string Format(int index)
    {
        var address = _base + ((uint)index << (32 - _nodePrefix));
        var bytes = new[] { (byte)(address >> 24), (byte)(address >> 16), (byte)(address >> 8), (byte)address };
        return $"{new IPAddress(bytes)}/{_nodePrefix.ToString(CultureInfo.InvariantCulture)}";
    }

    private static (uint Base, int Prefix) Parse(string cidr)
    {
        if (!TryParse(cidr, out var address, out var prefix))
        {
            throw new ArgumentException($"not an IPv4 CIDR: {cidr}", nameof(cidr));
        }

        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (address & mask, prefix);
    }

    private static bool TryParse(string cidr, out uint address, out int prefix)
    {
        address = 0;
        prefix = 0;
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(cidr.AsSpan(0, slash), out var ip) || ip.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(cidr.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > 32)
        {
            return false;
        }

        var b = ip.GetAddressBytes();
        address = ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
        return true;
    }
}
