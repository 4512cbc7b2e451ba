using k8s.Models;

namespace Stevedore.Controllers.Deployment;

/// <summary>
/// The outcome of one Deployment sync.
/// </summary>
/// <param name="Actions">ReplicaSet writes, in order (each ReplicaSet appears at most once, in its final state).</param>
/// <param name="Events">Events to record on the Deployment.</param>
/// <param name="Annotations">The Deployment's new annotations when the revision annotation changed (write with an update), else null.</param>
/// <param name="Status">The status to write after the actions succeeded.</param>
/// <param name="StatusChanged">Whether <see cref="Status"/> differs from the stored one.</param>
/// <param name="RequeueAfter">Check again after this delay (progress deadline), or null.</param>
public sealed record DeploymentDecision(
    IReadOnlyList<DeploymentAction> Actions,
    IReadOnlyList<DeploymentEvent> Events,
    IDictionary<string, string>? Annotations,
    V1DeploymentStatus Status,
    bool StatusChanged,
    TimeSpan? RequeueAfter);
