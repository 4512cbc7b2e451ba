using Stevedore.Network.Dns.Wire;

namespace Stevedore.Network.Dns;

/// <summary>
/// The records one Service contributes to the zone, grouped by name (immutable). Made by
/// <see cref="DnsSnapshotBuilder.RecordsOf"/>; a controller keeps them per Service and makes them
/// again only when the Service or its endpoints change, so rebuilding the snapshot after one
/// change costs a merge, not the whole zone.
/// </summary>
public sealed class DnsServiceRecords
{
    internal DnsServiceRecords(IReadOnlyList<KeyValuePair<string, DnsRecord[]>> names) => Names = names;

    /// <summary>Name (lookup key) → its records.</summary>
    public IReadOnlyList<KeyValuePair<string, DnsRecord[]>> Names { get; }
}
