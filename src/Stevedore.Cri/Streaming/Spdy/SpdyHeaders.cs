namespace Stevedore.Cri.Streaming.Spdy;

/// <summary>
/// The name/value pairs of a SPDY header block. Names are case-insensitive (SPDY sends them in lower
/// case; Go canonicalises them on receipt); a name may carry several values.
/// </summary>
public sealed class SpdyHeaders
{
    private readonly List<KeyValuePair<string, string>> _pairs = [];

    /// <summary>An empty block.</summary>
    public SpdyHeaders()
    {
    }

    /// <summary>A block holding <paramref name="pairs"/>.</summary>
    public SpdyHeaders(IEnumerable<KeyValuePair<string, string>> pairs) => _pairs.AddRange(pairs);

    /// <summary>Every pair, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Pairs => _pairs;

    /// <summary>Adds one value.</summary>
    public SpdyHeaders Add(string name, string value)
    {
        _pairs.Add(new(name, value));
        return this;
    }

    /// <summary>The first value of <paramref name="name"/>, or null.</summary>
    public string? Get(string name) =>
        _pairs.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Every value of <paramref name="name"/>.</summary>
    public IEnumerable<string> GetAll(string name) =>
        _pairs.Where(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Select(p => p.Value);

    public override string ToString() => string.Join(", ", _pairs.Select(p => p.Key + "=" + p.Value));
}
