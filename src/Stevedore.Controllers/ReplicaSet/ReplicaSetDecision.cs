using k8s.Models;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.ReplicaSet;

/// <summary>
/// What one sync of a ReplicaSet should write. Execute in this order: adopt/release patches,
/// then creates (in <see cref="ReplicaSetLogic.SlowStartBatches"/>) or deletes, then the status if
/// <see cref="StatusChanged"/>. Before issuing creates call ControllerExpectations.ExpectCreations with
/// <see cref="PodsToCreate"/>; before deletes ExpectDeletions with the keys of <see cref="PodsToDelete"/>;
/// every create or delete that is skipped or fails must be observed back so expectations drain.
/// </summary>
/// <param name="Claim">Owned, to-adopt and to-release pods (active pods only).</param>
/// <param name="PodsToCreate">How many pods to create (already capped at the burst limit).</param>
/// <param name="PodTemplate">The pod to create <see cref="PodsToCreate"/> times (generateName), or null.</param>
/// <param name="PodsToDelete">Pods to delete, most expendable first (already capped).</param>
/// <param name="Status">The status to write when no create/delete fails.</param>
/// <param name="StatusChanged">Whether <see cref="Status"/> differs from the stored one.</param>
/// <param name="RequeueAfter">Sync again after this delay (pods waiting out minReadySeconds), or null.</param>
public sealed record ReplicaSetDecision(
    ClaimPlan<V1Pod> Claim,
    int PodsToCreate,
    V1Pod? PodTemplate,
    IReadOnlyList<V1Pod> PodsToDelete,
    V1ReplicaSetStatus Status,
    bool StatusChanged,
    TimeSpan? RequeueAfter);
