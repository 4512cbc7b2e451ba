using Stevedore.Network.Dns.Wire;

namespace Stevedore.Network.Dns;

/// <summary>
/// The records of the cluster zone and of the reverse zones at one moment: an immutable map from
/// lookup key to the records owned by that name. Names with no records of their own but with names
/// below them (<c>default.svc.cluster.local</c>) are present with none, so they answer NODATA, not
/// NXDOMAIN. Built by <see cref="DnsSnapshotBuilder"/>, published through <see cref="DnsRecordStore"/>.
/// </summary>
public sealed class DnsSnapshot
{
    public const string ReverseV4Zone = "in-addr.arpa";
    public const string ReverseV6Zone = "ip6.arpa";

    private readonly Dictionary<string, DnsRecord[]> _names;
    private readonly Dictionary<string, DnsRecord[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    internal DnsSnapshot(DnsZoneOptions zone, Dictionary<string, DnsRecord[]> names, DnsRecord soa, uint serial, int services)
    {
        Zone = zone;
        _names = names;
        _lookup = names.GetAlternateLookup<ReadOnlySpan<char>>();
        Serial = serial;
        Services = services;
        ZoneApex = DnsName.Encode(zone.Key);
        ZoneSoa = soa;
        ReverseV4Apex = DnsName.Encode(ReverseV4Zone);
        ReverseV6Apex = DnsName.Encode(ReverseV6Zone);
    }

    public DnsZoneOptions Zone { get; }

    /// <summary>The SOA serial: changes with every published snapshot.</summary>
    public uint Serial { get; }

    /// <summary>How many Services the snapshot was built from.</summary>
    public int Services { get; }

    /// <summary>How many names (with or without records) the snapshot holds.</summary>
    public int Names => _names.Count;

    internal byte[] ZoneApex { get; }

    internal byte[] ReverseV4Apex { get; }

    internal byte[] ReverseV6Apex { get; }

    /// <summary>The zone's SOA; also sent in the authority section of negative answers of the reverse zones.</summary>
    internal DnsRecord ZoneSoa { get; }

    /// <summary>The records owned by <paramref name="key"/>; false when the name does not exist.</summary>
    public bool TryGet(ReadOnlySpan<char> key, out DnsRecord[] records) => _lookup.TryGetValue(key, out records!);

    /// <summary>The zone's SOA record for a serial.</summary>
    internal static DnsRecord Soa(DnsZoneOptions zone, uint serial)
    {
        var primary = DnsName.Encode("ns.dns." + zone.Key);
        var mailbox = DnsName.Encode("hostmaster." + zone.Key);
        // Refresh, retry and expire as CoreDNS sets them; the minimum is the negative-caching TTL.
        return DnsRecord.Soa(primary, mailbox, serial, 7200, 1800, 86400, zone.Ttl, zone.Ttl);
    }
}
