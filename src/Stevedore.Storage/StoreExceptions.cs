namespace Stevedore.Storage;

/// <summary>The requested revision is at or below the compacted revision.</summary>
public sealed class StoreCompactedException(long requestedRevision, long compactedRevision)
    : Exception($"required revision {requestedRevision} has been compacted (compacted revision {compactedRevision})")
{
    public long RequestedRevision { get; } = requestedRevision;
    public long CompactedRevision { get; } = compactedRevision;
}

/// <summary>A requested revision is newer than anything the store has committed.</summary>
public sealed class StoreFutureRevisionException(long requestedRevision, long currentRevision)
    : Exception($"required revision {requestedRevision} is a future revision (current revision {currentRevision})")
{
    public long RequestedRevision { get; } = requestedRevision;
    public long CurrentRevision { get; } = currentRevision;
}

/// <summary>The backend cannot be reached or failed; the caller may retry.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
