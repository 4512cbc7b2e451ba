using k8s.Models;

namespace Stevedore.Controllers.Namespace;

/// <summary>
/// The result of one deletion pass over a terminating namespace.
/// </summary>
/// <param name="Status">Status with phase Terminating and the five deletion conditions.</param>
/// <param name="StatusChanged">Whether <see cref="Status"/> differs from the stored one.</param>
/// <param name="Finalize">All content is gone: PUT /finalize with <see cref="FinalizedSpec"/>.</param>
/// <param name="FinalizedSpec">The spec without the "kubernetes" finalizer (only meaningful with <see cref="Finalize"/>).</param>
/// <param name="RequeueAfter">Look again after this delay (content still terminating), or null; with
/// <see cref="Failed"/> requeue rate-limited instead.</param>
/// <param name="Failed">Discovery or deletion failed; requeue with backoff.</param>
public sealed record NamespaceDeletionOutcome(
    V1NamespaceStatus Status,
    bool StatusChanged,
    bool Finalize,
    V1NamespaceSpec FinalizedSpec,
    TimeSpan? RequeueAfter,
    bool Failed);
