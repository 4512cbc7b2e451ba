using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Stevedore.Network;

/// <summary>CIDR arithmetic for pod ranges, routes and egress rules (IPv4 and IPv6).</summary>
public static class Cidr
{
    /// <summary>
    /// Parses a network in CIDR form, refusing host bits (<c>10.42.0.5/24</c>) with a message that names
    /// the network that was probably meant, so a typo in a pod CIDR never silently shifts a range.
    /// </summary>
    /// <param name="text">The CIDR, e.g. <c>10.42.0.0/24</c>.</param>
    /// <param name="what">What the value is, for the error message (e.g. "pod CIDR").</param>
    public static IPNetwork Parse(string text, string what)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0
            || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix)
            || prefix > MaxPrefix(address))
        {
            throw new FormatException($"invalid {what} \"{text}\": expected an address and a prefix length such as 10.42.0.0/24 or fd00:42::/64");
        }

        var network = Truncate(address, prefix);
        if (!network.Equals(address))
        {
            throw new FormatException($"invalid {what} \"{text}\": it has host bits set (did you mean {network}/{prefix}?)");
        }

        return new IPNetwork(network, prefix);
    }

    /// <summary>The address <paramref name="offset"/> places after the network's first address.</summary>
    public static IPAddress AddressAt(IPNetwork network, BigInteger offset)
    {
        if (offset < 0 || offset >= Size(network))
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"{network} holds {Size(network)} addresses; offset {offset} is outside it");
        }

        return FromInteger(ToInteger(network.BaseAddress) + offset, network.BaseAddress.AddressFamily);
    }

    /// <summary>How many addresses the network spans.</summary>
    public static BigInteger Size(IPNetwork network) => BigInteger.One << (MaxPrefix(network.BaseAddress) - network.PrefixLength);

    /// <summary>The gateway a bridge takes in a pod range: the first address after the network address.</summary>
    public static IPAddress Gateway(IPNetwork network) => AddressAt(network, 1);

    /// <summary>Whether two networks share any address.</summary>
    public static bool Overlaps(IPNetwork a, IPNetwork b) =>
        a.BaseAddress.AddressFamily == b.BaseAddress.AddressFamily && (a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress));

    /// <summary>The network of an address with a prefix (host bits cleared).</summary>
    public static IPNetwork NetworkOf(IPAddress address, int prefixLength) => new(Truncate(address, prefixLength), prefixLength);

    /// <summary>32 for IPv4, 128 for IPv6.</summary>
    public static int MaxPrefix(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;

    private static IPAddress Truncate(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes);
    }

    private static BigInteger ToInteger(IPAddress address) => new(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    private static IPAddress FromInteger(BigInteger value, AddressFamily family)
    {
        var length = family == AddressFamily.InterNetworkV6 ? 16 : 4;
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var bytes = new byte[length];
        raw.CopyTo(bytes, length - raw.Length);
        return new IPAddress(bytes);
    }
}
