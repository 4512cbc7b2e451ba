using k8s;
using k8s.Models;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.Deployment;

/// <summary>Status and condition computation of the Deployment controller (upstream sync.go / progress.go).</summary>
public static class DeploymentStatusLogic
{
    /// <summary>Counts from the ReplicaSets, plus the Available condition.</summary>
    public static V1DeploymentStatus Compute(V1Deployment d, IReadOnlyList<V1ReplicaSet> allSets, V1ReplicaSet? newSet, DateTime now)
    {
        var available = RolloutMath.AvailableReplicas(allSets);
        var status = new V1DeploymentStatus
        {
            ObservedGeneration = d.Metadata.Generation,
            Replicas = RolloutMath.ActualReplicas(allSets),
            UpdatedReplicas = RolloutMath.ActualReplicas([newSet]),
            ReadyReplicas = RolloutMath.ReadyReplicas(allSets),
            AvailableReplicas = available,
            UnavailableReplicas = Math.Max(0, RolloutMath.SpecReplicas(allSets) - available),
            CollisionCount = d.Status?.CollisionCount,
            Conditions = (d.Status?.Conditions ?? []).Select(ObjectCopy.Deep).ToList(),
        };
        var condition = available >= RolloutMath.Replicas(d) - RolloutMath.MaxUnavailable(d)
            ? DeploymentConditions.New(DeploymentConditions.Available, "True", DeploymentConditions.MinimumReplicasAvailableReason, "Deployment has minimum availability.", now)
            : DeploymentConditions.New(DeploymentConditions.Available, "False", DeploymentConditions.MinimumReplicasUnavailableReason, "Deployment does not have minimum availability.", now);
        DeploymentConditions.Set(status, condition);
        return status;
    }

    /// <summary>
    /// <see cref="Compute"/> plus the Progressing condition (complete, progressing, timed out) and the
    /// ReplicaFailure condition copied from the ReplicaSets.
    /// </summary>
    public static V1DeploymentStatus ComputeRollout(V1Deployment d, IReadOnlyList<V1ReplicaSet> allSets, V1ReplicaSet? newSet, DateTime now)
    {
        var status = Compute(d, allSets, newSet, now);
        if (!HasProgressDeadline(d))
        {
            DeploymentConditions.Remove(status, DeploymentConditions.Progressing);
        }

        var current = DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing);
        var complete = status.Replicas == status.UpdatedReplicas && current?.Reason == DeploymentConditions.NewReplicaSetAvailableReason;
        if (HasProgressDeadline(d) && !complete)
        {
            var subject = newSet is null ? $"Deployment \"{d.Metadata.Name}\"" : $"ReplicaSet \"{newSet.Metadata.Name}\"";
            if (IsComplete(d, status))
            {
                DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, "True", DeploymentConditions.NewReplicaSetAvailableReason, $"{subject} has successfully progressed.", now));
            }
            else if (IsProgressing(d, status))
            {
                // Progress refreshes lastUpdateTime even with an unchanged reason, so the deadline restarts.
                var condition = DeploymentConditions.New(DeploymentConditions.Progressing, "True", DeploymentConditions.ReplicaSetUpdatedReason, $"{subject} is progressing.", now);
                if (current is not null)
                {
                    if (current.Status == "True")
                    {
                        condition.LastTransitionTime = current.LastTransitionTime;
                    }

                    DeploymentConditions.Remove(status, DeploymentConditions.Progressing);
                }

                DeploymentConditions.Set(status, condition);
            }
            else if (IsTimedOut(d, status, now))
            {
                DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, "False", DeploymentConditions.ProgressDeadlineExceededReason, $"{subject} has timed out progressing.", now));
            }
        }

        var failure = ReplicaFailures(allSets, newSet);
        if (failure is not null)
        {
            DeploymentConditions.Set(status, failure);
        }
        else
        {
            DeploymentConditions.Remove(status, DeploymentConditions.ReplicaFailure);
        }

        return status;
    }

    /// <summary>All replicas updated and available, and the latest generation observed.</summary>
    public static bool IsComplete(V1Deployment d, V1DeploymentStatus status) =>
        status.UpdatedReplicas == RolloutMath.Replicas(d)
        && status.Replicas == RolloutMath.Replicas(d)
        && status.AvailableReplicas == RolloutMath.Replicas(d)
        && (status.ObservedGeneration ?? 0) >= (d.Metadata.Generation ?? 0);

    /// <summary>More updated, ready or available pods, or fewer old ones, than the stored status says.</summary>
    public static bool IsProgressing(V1Deployment d, V1DeploymentStatus status)
    {
        var old = d.Status ?? new V1DeploymentStatus();
        var oldOld = (old.Replicas ?? 0) - (old.UpdatedReplicas ?? 0);
        var newOld = (status.Replicas ?? 0) - (status.UpdatedReplicas ?? 0);
        return (status.UpdatedReplicas ?? 0) > (old.UpdatedReplicas ?? 0)
            || newOld < oldOld
            || (status.ReadyReplicas ?? 0) > (old.ReadyReplicas ?? 0)
            || (status.AvailableReplicas ?? 0) > (old.AvailableReplicas ?? 0);
    }

    /// <summary>No progress for progressDeadlineSeconds since the Progressing condition was last updated.</summary>
    public static bool IsTimedOut(V1Deployment d, V1DeploymentStatus status, DateTime now)
    {
        if (!HasProgressDeadline(d))
        {
            return false;
        }

        var condition = DeploymentConditions.Get(status, DeploymentConditions.Progressing);
        if (condition is null || condition.Reason == DeploymentConditions.NewReplicaSetAvailableReason)
        {
            return false;
        }

        if (condition.Reason == DeploymentConditions.ProgressDeadlineExceededReason)
        {
            return true;
        }

        return condition.LastUpdateTime is { } from && from.AddSeconds(d.Spec.ProgressDeadlineSeconds!.Value) < now;
    }

    /// <summary>
    /// When an unchanged, unfinished rollout must be looked at again to notice its deadline passing
    /// (upstream requeueStuckDeployment); null when nothing needs checking.
    /// </summary>
    public static TimeSpan? RequeueAfter(V1Deployment d, V1DeploymentStatus status, DateTime now)
    {
        var current = DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing);
        if (!HasProgressDeadline(d) || current is null || IsComplete(d, status)
            || current.Reason == DeploymentConditions.ProgressDeadlineExceededReason)
        {
            return null;
        }

        var after = (current.LastUpdateTime ?? now).AddSeconds(d.Spec.ProgressDeadlineSeconds!.Value) - now;
        return after < TimeSpan.FromSeconds(1) ? TimeSpan.Zero : after;
    }

    /// <summary>True when progressDeadlineSeconds is set and not the "never" value int.MaxValue.</summary>
    public static bool HasProgressDeadline(V1Deployment d) =>
        d.Spec.ProgressDeadlineSeconds is { } seconds && seconds != int.MaxValue;

    /// <summary>Whether two statuses differ in anything the API stores.</summary>
    public static bool Differs(V1DeploymentStatus? stored, V1DeploymentStatus computed) =>
        KubernetesJson.Serialize(Normalize(stored ?? new V1DeploymentStatus())) != KubernetesJson.Serialize(Normalize(computed));

    private static V1DeploymentStatus Normalize(V1DeploymentStatus s) => new()
    {
        ObservedGeneration = s.ObservedGeneration ?? 0,
        Replicas = s.Replicas ?? 0,
        UpdatedReplicas = s.UpdatedReplicas ?? 0,
        ReadyReplicas = s.ReadyReplicas ?? 0,
        AvailableReplicas = s.AvailableReplicas ?? 0,
        UnavailableReplicas = s.UnavailableReplicas ?? 0,
        CollisionCount = s.CollisionCount,
        Conditions = s.Conditions is { Count: > 0 } ? s.Conditions : null,
    };

    private static V1DeploymentCondition? ReplicaFailures(IReadOnlyList<V1ReplicaSet> allSets, V1ReplicaSet? newSet)
    {
        // The new ReplicaSet's failure wins over failures of old ones.
        var ordered = newSet is null ? allSets : [newSet, .. allSets];
        var failure = ordered.SelectMany(rs => rs.Status?.Conditions ?? []).FirstOrDefault(c => c.Type == "ReplicaFailure");
        return failure is null
            ? null
            : new V1DeploymentCondition
            {
                Type = DeploymentConditions.ReplicaFailure,
                Status = failure.Status,
                Reason = failure.Reason,
                Message = failure.Message,
                LastTransitionTime = failure.LastTransitionTime,
                LastUpdateTime = failure.LastTransitionTime,
            };
    }
}
