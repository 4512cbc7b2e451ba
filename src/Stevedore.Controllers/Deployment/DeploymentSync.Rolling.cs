using k8s.Models;

namespace Stevedore.Controllers.Deployment;

internal sealed partial class DeploymentSync
{
    private void RolloutRolling()
    {
        var (newSet, oldSets) = AllSetsAndSyncRevision(createIfMissing: true);
        var all = All(newSet, oldSets);
        if (!ReconcileNewReplicaSet(all, newSet!) && !ReconcileOldReplicaSets(all, Active(oldSets), newSet!))
        {
            // Upstream judges completeness on the stored status here, not on the one being computed.
            if (DeploymentStatusLogic.IsComplete(_d, _d.Status!))
            {
                CleanupHistory(oldSets);
            }
        }

        SetRolloutStatus(all, newSet);
    }

    private void SetRolloutStatus(List<V1ReplicaSet> all, V1ReplicaSet? newSet)
    {
        _status = DeploymentStatusLogic.ComputeRollout(_d, all, newSet, _now);
        _rolloutStatus = true;
    }

    /// <summary>Grows the new ReplicaSet within the surge budget, or shrinks it if it is above the desired count.</summary>
    private bool ReconcileNewReplicaSet(List<V1ReplicaSet> all, V1ReplicaSet newSet)
    {
        var current = newSet.Spec.Replicas ?? 0;
        if (current == Replicas)
        {
            return false;
        }

        return current > Replicas
            ? ScaleAndRecordEvent(newSet, Replicas)
            : ScaleAndRecordEvent(newSet, RolloutMath.NewReplicaSetReplicas(_d, all, newSet));
    }

    /// <summary>
    /// Shrinks old ReplicaSets while keeping at least replicas - maxUnavailable available: first the
    /// pods that are not available anyway (they cost no availability), then healthy ones, oldest first.
    /// </summary>
    private bool ReconcileOldReplicaSets(List<V1ReplicaSet> all, List<V1ReplicaSet> activeOld, V1ReplicaSet newSet)
    {
        if (RolloutMath.SpecReplicas(activeOld) == 0)
        {
            return false;
        }

        // An old ReplicaSet reporting more available pods than it wants has not yet caught up with an
        // earlier scale-down: its numbers would turn "clean up unhealthy" into a scale-up and overstate
        // availability. Upstream fails this sync; we wait for the ReplicaSet's status update, which
        // requeues the Deployment anyway.
        if (activeOld.Any(rs => (rs.Status?.AvailableReplicas ?? 0) > (rs.Spec.Replicas ?? 0)))
        {
            return false;
        }

        var minAvailable = Replicas - RolloutMath.MaxUnavailable(_d);
        var newUnavailable = (newSet.Spec.Replicas ?? 0) - (newSet.Status?.AvailableReplicas ?? 0);
        var maxScaledDown = RolloutMath.SpecReplicas(all) - minAvailable - newUnavailable;
        if (maxScaledDown <= 0)
        {
            return false;
        }

        var cleaned = CleanupUnhealthyReplicas(activeOld, maxScaledDown);
        var scaledDown = ScaleDownOldForRollingUpdate([.. activeOld, newSet], activeOld);
        return cleaned + scaledDown > 0;
    }

    private int CleanupUnhealthyReplicas(List<V1ReplicaSet> oldSets, int maxCleanup)
    {
        var total = 0;
        foreach (var rs in DeploymentLogic.ByCreation(oldSets).ToList())
        {
            if (total >= maxCleanup)
            {
                break;
            }

            var replicas = rs.Spec.Replicas ?? 0;
            var available = rs.Status?.AvailableReplicas ?? 0;
            if (replicas == 0 || replicas == available)
            {
                continue;
            }

            var count = Math.Min(maxCleanup - total, replicas - available);
            ScaleAndRecordEvent(rs, replicas - count);
            total += count;
        }

        return total;
    }

    private int ScaleDownOldForRollingUpdate(List<V1ReplicaSet> all, List<V1ReplicaSet> oldSets)
    {
        var minAvailable = Replicas - RolloutMath.MaxUnavailable(_d);
        var available = RolloutMath.AvailableReplicas(all);
        if (available <= minAvailable)
        {
            return 0;
        }

        var budget = available - minAvailable;
        var total = 0;
        foreach (var rs in DeploymentLogic.ByCreation(oldSets).ToList())
        {
            if (total >= budget)
            {
                break;
            }

            var replicas = rs.Spec.Replicas ?? 0;
            if (replicas == 0)
            {
                continue;
            }

            var count = Math.Min(replicas, budget - total);
            ScaleAndRecordEvent(rs, replicas - count);
            total += count;
        }

        return total;
    }
}
