namespace Stevedore.Network.Dns;

/// <summary>The cluster zone: its domain and the TTLs of its answers.</summary>
public sealed record DnsZoneOptions
{
    public const string DefaultDomain = "cluster.local";

    /// <summary>The cluster domain (<c>--cluster-domain</c>), without a final dot.</summary>
    public string Domain { get; init; } = DefaultDomain;

    /// <summary>TTL of every record, and the negative-caching TTL (SOA minimum). CoreDNS's default is 5 s.</summary>
    public uint Ttl { get; init; } = 5;

    /// <summary>The domain as a lookup key: lower case, no final dot.</summary>
    public string Key => Domain.TrimEnd('.').ToLowerInvariant();

    /// <summary>Checks the domain is a valid DNS name of at least one label.</summary>
    /// <exception cref="FormatException">It is not.</exception>
    public void Validate()
    {
        if (Key.Length == 0)
        {
            throw new FormatException($"invalid cluster domain \"{Domain}\": empty");
        }

        if (!Wire.DnsName.TryEncode(Key, out _, out var problem))
        {
            throw new FormatException($"invalid cluster domain \"{Domain}\": {problem}");
        }
    }
}
