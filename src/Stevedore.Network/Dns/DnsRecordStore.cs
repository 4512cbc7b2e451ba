namespace Stevedore.Network.Dns;

/// <summary>
/// Holds the current <see cref="DnsSnapshot"/>. One writer (the controller) publishes whole
/// snapshots; any number of readers take the current one with a single volatile read, so a query
/// never sees a half-built zone and never waits.
/// </summary>
public sealed class DnsRecordStore
{
    private DnsSnapshot? _current;

    /// <summary>The snapshot queries are answered from; null until the first is published (then in-zone queries get SERVFAIL, so clients retry instead of caching NXDOMAIN).</summary>
    public DnsSnapshot? Current => Volatile.Read(ref _current);

    public void Publish(DnsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Volatile.Write(ref _current, snapshot);
    }
}
