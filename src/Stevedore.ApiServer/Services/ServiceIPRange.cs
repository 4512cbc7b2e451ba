using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Stevedore.ApiServer.Services;

/// <summary>
/// The IPv4 range Service cluster IPs come from (<c>--service-cidr</c>). The network and
/// broadcast addresses are never handed out; the first usable address belongs to the
/// <c>kubernetes</c> Service. As upstream, a lower band is kept for requested IPs: dynamic
/// allocation takes the upper part first and the lower band only when the upper is full.
/// </summary>
public sealed class ServiceIPRange
{
    public const string DefaultCidr = "10.43.0.0/16";

    private readonly uint _network;

    private ServiceIPRange(uint network, int prefixLength)
    {
        _network = network;
        PrefixLength = prefixLength;
        Size = (int)((1L << (32 - prefixLength)) - 2);
        StaticBandSize = StaticBand(1L << (32 - prefixLength));
        Cidr = $"{ToAddress(network)}/{prefixLength.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>The range as given, normalized (<c>10.43.0.0/16</c>).</summary>
    public string Cidr { get; }

    public int PrefixLength { get; }

    /// <summary>How many addresses can be allocated (network and broadcast excluded).</summary>
    public int Size { get; }

    /// <summary>Offsets below this are preferred for requested IPs and used last by dynamic allocation.</summary>
    public int StaticBandSize { get; }

    /// <summary>The first usable address: the <c>kubernetes</c> Service's cluster IP.</summary>
    public IPAddress First => At(0);

    /// <summary>Parses an IPv4 CIDR between /12 and /30; anything else is a <see cref="FormatException"/> naming the problem.</summary>
    public static ServiceIPRange Parse(string cidr)
    {
        ArgumentNullException.ThrowIfNull(cidr);
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(cidr[..slash], out var address) ||
            !int.TryParse(cidr[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            throw new FormatException($"invalid CIDR address: {cidr} (expected e.g. {DefaultCidr})");
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new FormatException($"{cidr}: only IPv4 service ranges are supported");
        }

        // Upstream refuses ranges wider than /12 (the bitmap would be too large) and a range
        // needs at least two usable addresses.
        if (prefix is < 12 or > 30)
        {
            throw new FormatException($"{cidr}: the prefix length must be between /12 and /30");
        }

        var mask = uint.MaxValue << (32 - prefix);
        return new ServiceIPRange(ToUInt(address) & mask, prefix);
    }

    /// <summary>The usable address at <paramref name="offset"/> (0 = network + 1).</summary>
    public IPAddress At(int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(offset, Size);
        return ToAddress(_network + 1 + (uint)offset);
    }

    /// <summary>The offset of a usable address in this range, or -1 (outside, network, broadcast, not IPv4).</summary>
    public int OffsetOf(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return -1;
        }

        var value = ToUInt(address);
        var mask = uint.MaxValue << (32 - PrefixLength);
        if ((value & mask) != _network)
        {
            return -1;
        }

        var offset = (long)value - _network - 1;
        return offset >= 0 && offset < Size ? (int)offset : -1;
    }

    public bool Contains(IPAddress address) => OffsetOf(address) >= 0;

    // Upstream: min(max(16, size/16), 256), none for ranges of 16 addresses or fewer.
    private static int StaticBand(long cidrSize) =>
        cidrSize <= 16 ? 0 : (int)Math.Clamp(cidrSize / 16, 16, 256);

    private static uint ToUInt(IPAddress address) => BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    private static IPAddress ToAddress(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
