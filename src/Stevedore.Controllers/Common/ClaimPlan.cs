namespace Stevedore.Controllers.Common;

/// <summary>
/// The outcome of sorting candidate children for one controller: the ones it already owns and still
/// selects, orphans to adopt, and children it owns but no longer selects (to release).
/// </summary>
public sealed record ClaimPlan<T>(IReadOnlyList<T> Owned, IReadOnlyList<T> ToAdopt, IReadOnlyList<T> ToRelease)
{
    /// <summary>Owned plus adopted: what the controller manages once the adopt patches succeed.</summary>
    public IReadOnlyList<T> Claimed => [.. Owned, .. ToAdopt];
}
