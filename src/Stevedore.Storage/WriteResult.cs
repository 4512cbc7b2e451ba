namespace Stevedore.Storage;

/// <summary>How a guarded write ended.</summary>
public enum WriteOutcome
{
    Succeeded,
    NotFound,
    AlreadyExists,
    /// <summary>The key's mod revision was not the expected one.</summary>
    Conflict,
}

/// <summary>
/// The outcome of a write; on success <see cref="Revision"/> is the write's revision and
/// <see cref="Current"/> the key as written (or as it was, for a delete); on conflict or
/// already-exists <see cref="Current"/> is the key as stored, so callers can retry without
/// another read.
/// </summary>
public sealed record WriteResult(WriteOutcome Outcome, long Revision, KeyValue? Current)
{
    public bool Succeeded => Outcome == WriteOutcome.Succeeded;
}
