using k8s.Models;

namespace Stevedore.Controllers.Deployment;

/// <summary>
/// The outcome of one Deployment sync.
/// </summary>
/// <param name="Actions">ReplicaSet writes, in order (each ReplicaSet appears at most once, in its final state).</param>
/// <param name="Events">Events to record on the Deployment.</param>
/// <param name="Revision">The Deployment's new deployment.kubernetes.io/revision annotation when it changed (write it with a metadata patch), else null.</param>
/// <param name="Status">The status to write after the actions succeeded.</param>
/// <param name="StatusChanged">Whether <see cref="Status"/> differs from the stored one.</param>
/// <param name="RequeueAfter">Check again after this delay (progress deadline), or null.</param>
public sealed record DeploymentDecision(
    IReadOnlyList<DeploymentAction> Actions,
    IReadOnlyList<DeploymentEvent> Events,
    string? Revision,
    V1DeploymentStatus Status,
    bool StatusChanged,
    TimeSpan? RequeueAfter);
