namespace Stevedore.Network.Dns.Wire;

/// <summary>An answer record and its owner: null for the question's name, else a name in wire form.</summary>
public readonly record struct DnsAnswerRecord(DnsRecord Record, byte[]? Owner);

/// <summary>What the resolver decided for a query and what the response writer encodes. Reused per receive loop.</summary>
public sealed class DnsAnswer
{
    private readonly List<DnsAnswerRecord> _records = [];

    public DnsResponseCode Code { get; set; }

    /// <summary>Whether the answer comes from a zone this server is authoritative for (the AA bit).</summary>
    public bool Authoritative { get; set; }

    /// <summary>The answer section in order.</summary>
    public IReadOnlyList<DnsAnswerRecord> Records => _records;

    /// <summary>The zone's SOA for the authority section of a negative answer (RFC 2308), or null.</summary>
    public DnsRecord? Soa { get; set; }

    /// <summary>The owner of <see cref="Soa"/>: the zone's apex name in wire form.</summary>
    public byte[]? SoaOwner { get; set; }

    public void Add(DnsRecord record, byte[]? owner = null) => _records.Add(new DnsAnswerRecord(record, owner));

    public void Reset(DnsResponseCode code = DnsResponseCode.NoError)
    {
        Code = code;
        Authoritative = false;
        _records.Clear();
        Soa = null;
        SoaOwner = null;
    }
}
