namespace Stevedore.Client.Cache;

/// <summary>What happened to an object, as recorded by a <see cref="DeltaFifo{T}"/>.</summary>
public enum DeltaType
{
    Added,
    Updated,
    Deleted,

    /// <summary>The object was in a relist (it may or may not have changed).</summary>
    Replaced,

    /// <summary>A periodic resync: the object did not change, handlers get a chance to re-check it.</summary>
    Sync,
}
