namespace Stevedore.Controllers.Deployment;

/// <summary>Annotation and label keys the Deployment controller reads and writes (upstream values).</summary>
public static class DeploymentAnnotations
{
    /// <summary>Revision of a ReplicaSet (and the current revision of the Deployment).</summary>
    public const string Revision = "deployment.kubernetes.io/revision";

    /// <summary>Earlier revisions a ReplicaSet held before a rollback re-used it, comma-separated.</summary>
    public const string RevisionHistory = "deployment.kubernetes.io/revision-history";

    /// <summary>Deployment replicas when the ReplicaSet was last scaled (detects scaling events).</summary>
    public const string DesiredReplicas = "deployment.kubernetes.io/desired-replicas";

    /// <summary>Deployment replicas + maxSurge when the ReplicaSet was last scaled (proportional scaling).</summary>
    public const string MaxReplicas = "deployment.kubernetes.io/max-replicas";

    /// <summary>Label (and selector term) that ties a ReplicaSet and its pods to one template.</summary>
    public const string PodTemplateHashLabel = "pod-template-hash";

    /// <summary>kubectl apply's annotation, never copied to ReplicaSets.</summary>
    public const string LastAppliedConfiguration = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>Upper bound for the revision-history annotation (upstream maxRevHistoryLengthInChars).</summary>
    public const int MaxRevisionHistoryLengthInChars = 2000;

    /// <summary>Annotations owned by the controller that are not copied from the Deployment to its ReplicaSets.</summary>
    public static bool SkipCopy(string key) =>
        key is LastAppliedConfiguration or Revision or RevisionHistory or DesiredReplicas or MaxReplicas
        || key.StartsWith("non-convertible.kubernetes.io", StringComparison.Ordinal);
}
