namespace Stevedore.Client.Cache;

/// <summary>
/// One change of one object. A <see cref="DeltaType.Deleted"/> delta with
/// <see cref="IsFinalStateUnknown"/> set is upstream's <c>DeletedFinalStateUnknown</c> tombstone:
/// the deletion was inferred from a relist, so <see cref="Object"/> is the last state the cache
/// knew, which may be stale.
/// </summary>
public readonly record struct Delta<T>(DeltaType Type, T Object, bool IsFinalStateUnknown = false);
