namespace Stevedore.Storage;

/// <summary>
/// Keys starting with <paramref name="Prefix"/>, in key order, beginning after
/// <paramref name="StartAfterKey"/> (for paging), at most <paramref name="Limit"/> of them
/// (0 = no limit), as of <paramref name="Revision"/> (0 = newest).
/// </summary>
public sealed record RangeRequest(string Prefix, string? StartAfterKey = null, long Limit = 0, long Revision = 0, bool CountOnly = false);

/// <summary>
/// The keys found, the revision the read was served at, whether more keys follow the
/// last one returned, and the total number of keys matching the prefix from the start key.
/// </summary>
public sealed record RangeResult(IReadOnlyList<KeyValue> Items, long Revision, bool More, long Count);
