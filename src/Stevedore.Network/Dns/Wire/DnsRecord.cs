using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Stevedore.Network.Dns.Wire;

/// <summary>
/// One resource record's type, TTL and RDATA, encoded once when the record store is built so that
/// answering only copies bytes. Names inside RDATA are written uncompressed (RFC 2782 forbids
/// compressing SRV targets); a record whose RDATA ends with a name (CNAME, PTR, NS, SRV) keeps it as
/// <see cref="Target"/>, so the response writer can point later owner names at it.
/// </summary>
public sealed class DnsRecord
{
    private DnsRecord(ushort type, uint ttl, byte[] data, byte[]? target)
    {
        Type = type;
        Ttl = ttl;
        Data = data;
        Target = target;
        TargetKey = target is null ? null : DnsName.ToKey(target);
    }

    public ushort Type { get; }

    public uint Ttl { get; }

    /// <summary>The RDATA as sent.</summary>
    public byte[] Data { get; }

    /// <summary>The name that ends <see cref="Data"/> (wire form), or null.</summary>
    public byte[]? Target { get; }

    /// <summary>The lookup key of <see cref="Target"/>, for following a CNAME inside the store.</summary>
    public string? TargetKey { get; }

    /// <summary>Address records of <see cref="Target"/> sent as additional data (an SRV target's A/AAAA).</summary>
    public IReadOnlyList<DnsRecord> Glue { get; private init; } = [];

    /// <summary>An A or AAAA record, by the address family.</summary>
    public static DnsRecord Address(IPAddress address, uint ttl)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new(address.AddressFamily == AddressFamily.InterNetworkV6 ? DnsType.AAAA : DnsType.A, ttl, address.GetAddressBytes(), null);
    }

    public static DnsRecord Cname(byte[] target, uint ttl) => new(DnsType.CNAME, ttl, [.. target], target);

    public static DnsRecord Ptr(byte[] target, uint ttl) => new(DnsType.PTR, ttl, [.. target], target);

    public static DnsRecord Ns(byte[] target, uint ttl) => new(DnsType.NS, ttl, [.. target], target);

    /// <summary>An SRV record (RFC 2782); <paramref name="glue"/> are the target's address records.</summary>
    public static DnsRecord Srv(ushort priority, ushort weight, ushort port, byte[] target, uint ttl, IReadOnlyList<DnsRecord>? glue = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var data = new byte[6 + target.Length];
        BinaryPrimitives.WriteUInt16BigEndian(data, priority);
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(2), weight);
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(4), port);
        target.CopyTo(data, 6);
        return new(DnsType.SRV, ttl, data, target) { Glue = glue ?? [] };
    }

    /// <summary>An SOA record (RFC 1035 3.3.13); <paramref name="minimum"/> is the negative-caching TTL (RFC 2308).</summary>
    public static DnsRecord Soa(byte[] primary, byte[] mailbox, uint serial, uint refresh, uint retry, uint expire, uint minimum, uint ttl)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(mailbox);
        var data = new byte[primary.Length + mailbox.Length + 20];
        primary.CopyTo(data, 0);
        mailbox.CopyTo(data, primary.Length);
        var numbers = data.AsSpan(primary.Length + mailbox.Length);
        BinaryPrimitives.WriteUInt32BigEndian(numbers, serial);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[4..], refresh);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[8..], retry);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[12..], expire);
        BinaryPrimitives.WriteUInt32BigEndian(numbers[16..], minimum);
        return new(DnsType.SOA, ttl, data, null);
    }

    /// <summary>A TXT record of one character-string (at most 255 bytes).</summary>
    public static DnsRecord Txt(string text, uint ttl)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.ASCII.GetBytes(text);
        if (bytes.Length > 255)
        {
            throw new ArgumentException("a TXT character-string holds at most 255 bytes", nameof(text));
        }

        return new(DnsType.TXT, ttl, [(byte)bytes.Length, .. bytes], null);
    }
}
