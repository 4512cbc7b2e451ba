namespace Stevedore.Controllers.Namespace;

/// <summary>
/// What deleting one resource type of the namespace left behind: the deletecollection (or per-item
/// delete) error, how many items remain, finalizer counts among them, and how long the remaining ones
/// are expected to take (pods: their grace period), in seconds.
/// </summary>
public sealed record ResourceContent(
    NamespacedResource Resource,
    string? DeleteError,
    int Remaining,
    IReadOnlyDictionary<string, int>? FinalizersRemaining = null,
    long EstimateSeconds = 0);
