using k8s.Models;

namespace Stevedore.Controllers.Deployment;

/// <summary>One write the Deployment controller decided on. Execute in list order; stop at the first failure and requeue.</summary>
public abstract record DeploymentAction(V1ReplicaSet ReplicaSet);

/// <summary>Strategic-merge <paramref name="Patch"/> the orphan ReplicaSet to make the Deployment its controller.</summary>
public sealed record AdoptReplicaSet(V1ReplicaSet ReplicaSet, string Patch) : DeploymentAction(ReplicaSet);

/// <summary>Strategic-merge <paramref name="Patch"/> the ReplicaSet to drop the Deployment's owner reference (it no longer matches).</summary>
public sealed record ReleaseReplicaSet(V1ReplicaSet ReplicaSet, string Patch) : DeploymentAction(ReplicaSet);

/// <summary>
/// Create the ReplicaSet. On AlreadyExists call <see cref="DeploymentLogic.ResolveCreateConflict"/>; on
/// any other error <see cref="DeploymentLogic.FailedCreateStatus"/>.
/// </summary>
public sealed record CreateReplicaSet(V1ReplicaSet ReplicaSet) : DeploymentAction(ReplicaSet);

/// <summary>Update the ReplicaSet (its replicas, annotations or minReadySeconds changed).</summary>
public sealed record UpdateReplicaSet(V1ReplicaSet ReplicaSet) : DeploymentAction(ReplicaSet);

/// <summary>Delete the old ReplicaSet (revision history cleanup), with a UID precondition.</summary>
public sealed record DeleteReplicaSet(V1ReplicaSet ReplicaSet) : DeploymentAction(ReplicaSet);

/// <summary>An event to record on the Deployment.</summary>
public sealed record DeploymentEvent(string Type, string Reason, string Message);
