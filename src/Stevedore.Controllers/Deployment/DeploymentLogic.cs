using System.Globalization;
using k8s.Models;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.Deployment;

/// <summary>
/// The pure decision logic of the Deployment controller (upstream pkg/controller/deployment):
/// one call per sync, over the Deployment, the ReplicaSets of its namespace and (for Recreate) the
/// pods of its ReplicaSets, all from the informer caches.
/// </summary>
public static class DeploymentLogic
{
    internal const string ApiVersion = "apps/v1";
    internal const string Kind = "Deployment";

    /// <summary>
    /// Decides one sync: adoption, finding or creating the new ReplicaSet, scaling (rolling update,
    /// Recreate, proportional scaling, pause), history cleanup, revision annotations and the status.
    /// Inputs are never mutated.
    /// </summary>
    public static DeploymentDecision Decide(V1Deployment deployment, IReadOnlyList<V1ReplicaSet> namespaceReplicaSets, IReadOnlyList<V1Pod> pods, DateTime now) =>
        new DeploymentSync(deployment, now).Run(namespaceReplicaSets, pods);

    /// <summary>
    /// Creating the new ReplicaSet hit AlreadyExists with <paramref name="existing"/>. If it is ours with
    /// the same template the cache was only late: returns null (just requeue). Otherwise it is a hash
    /// collision: returns the status to write, with collisionCount incremented, then requeue.
    /// </summary>
    public static V1DeploymentStatus? ResolveCreateConflict(V1Deployment deployment, V1ReplicaSet existing)
    {
        var owner = ControllerRef.Of(existing.Metadata);
        if (owner?.Uid == deployment.Metadata.Uid && PodTemplateHash.EqualIgnoreHash(deployment.Spec.Template, existing.Spec.Template))
        {
            return null;
        }

        var status = ObjectCopy.Deep(deployment.Status ?? new V1DeploymentStatus());
        status.CollisionCount = (status.CollisionCount ?? 0) + 1;
        return status;
    }

    /// <summary>
    /// Creating the new ReplicaSet failed with <paramref name="error"/>: the status to write (Progressing
    /// False / ReplicaSetCreateError when a deadline is set, else null) and the warning event.
    /// </summary>
    public static (V1DeploymentStatus? Status, DeploymentEvent Event) FailedCreateStatus(V1Deployment deployment, string replicaSetName, string error, DateTime now)
    {
        var message = $"Failed to create new replica set \"{replicaSetName}\": {error}";
        V1DeploymentStatus? status = null;
        if (DeploymentStatusLogic.HasProgressDeadline(deployment))
        {
            status = ObjectCopy.Deep(deployment.Status ?? new V1DeploymentStatus());
            DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, "False", DeploymentConditions.FailedReplicaSetCreateReason, message, now));
        }

        return (status, new DeploymentEvent("Warning", DeploymentConditions.FailedReplicaSetCreateReason, message));
    }

    /// <summary>The name of the ReplicaSet for the Deployment's current template: "&lt;deployment&gt;-&lt;hash&gt;".</summary>
    public static string NewReplicaSetName(V1Deployment deployment) =>
        $"{deployment.Metadata.Name}-{PodTemplateHash.Compute(deployment.Spec.Template, deployment.Status?.CollisionCount)}";

    /// <summary>Oldest first, by creation time then name.</summary>
    internal static IOrderedEnumerable<V1ReplicaSet> ByCreation(IEnumerable<V1ReplicaSet> sets) =>
        sets.OrderBy(rs => rs.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenBy(rs => rs.Metadata.Name, StringComparer.Ordinal);

    internal static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
