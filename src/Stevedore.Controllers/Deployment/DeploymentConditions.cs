using k8s.Models;

namespace Stevedore.Controllers.Deployment;

/// <summary>Deployment condition types, reasons and the set/remove rules of upstream deployment util.</summary>
public static class DeploymentConditions
{
    public const string Progressing = "Progressing";
    public const string Available = "Available";
    public const string ReplicaFailure = "ReplicaFailure";

    public const string NewReplicaSetCreatedReason = "NewReplicaSetCreated";
    public const string FoundNewReplicaSetReason = "FoundNewReplicaSet";
    public const string ReplicaSetUpdatedReason = "ReplicaSetUpdated";
    public const string NewReplicaSetAvailableReason = "NewReplicaSetAvailable";
    public const string ProgressDeadlineExceededReason = "ProgressDeadlineExceeded";
    public const string FailedReplicaSetCreateReason = "ReplicaSetCreateError";
    public const string PausedReason = "DeploymentPaused";
    public const string ResumedReason = "DeploymentResumed";
    public const string MinimumReplicasAvailableReason = "MinimumReplicasAvailable";
    public const string MinimumReplicasUnavailableReason = "MinimumReplicasUnavailable";

    /// <summary>A condition stamped with <paramref name="now"/> for both times.</summary>
    public static V1DeploymentCondition New(string type, string status, string reason, string message, DateTime now) => new()
    {
        Type = type,
        Status = status,
        Reason = reason,
        Message = message,
        LastUpdateTime = now,
        LastTransitionTime = now,
    };

    /// <summary>The condition of <paramref name="type"/>, or null.</summary>
    public static V1DeploymentCondition? Get(V1DeploymentStatus? status, string type) =>
        status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>
    /// Sets <paramref name="condition"/>: no-op when status and reason are unchanged; keeps the old
    /// lastTransitionTime when only the reason changes.
    /// </summary>
    public static void Set(V1DeploymentStatus status, V1DeploymentCondition condition)
    {
        var current = Get(status, condition.Type);
        if (current is not null && current.Status == condition.Status && current.Reason == condition.Reason)
        {
            return;
        }

        if (current is not null && current.Status == condition.Status)
        {
            condition.LastTransitionTime = current.LastTransitionTime;
        }

        Remove(status, condition.Type);
        status.Conditions ??= new List<V1DeploymentCondition>();
        status.Conditions.Add(condition);
    }

    /// <summary>Removes the condition of <paramref name="type"/>.</summary>
    public static void Remove(V1DeploymentStatus status, string type)
    {
        if (status.Conditions is null)
        {
            return;
        }

        status.Conditions = status.Conditions.Where(c => c.Type != type).ToList();
    }
}
