using k8s.Models;

namespace Stevedore.Controllers.Deployment;

internal sealed partial class DeploymentSync
{
    /// <summary>Recreate: all old pods go away (and are gone) before the new ReplicaSet is scaled up.</summary>
    private void RolloutRecreate()
    {
        var (newSet, oldSets) = AllSetsAndSyncRevision(createIfMissing: false);
        var all = All(newSet, oldSets);
        var scaledDown = false;
        foreach (var rs in Active(oldSets))
        {
            scaledDown |= ScaleAndRecordEvent(rs, 0);
        }

        if (scaledDown || OldPodsRunning(newSet, oldSets))
        {
            SetRolloutStatus(all, newSet);
            return;
        }

        if (newSet is null)
        {
            (newSet, oldSets) = AllSetsAndSyncRevision(createIfMissing: true);
            all = All(newSet, oldSets);
        }

        ScaleAndRecordEvent(newSet!, Replicas);
        if (DeploymentStatusLogic.IsComplete(_d, _d.Status!))
        {
            CleanupHistory(oldSets);
        }

        SetRolloutStatus(all, newSet);
    }

    private bool OldPodsRunning(V1ReplicaSet? newSet, List<V1ReplicaSet> oldSets)
    {
        if (RolloutMath.ActualReplicas(oldSets) > 0)
        {
            return true;
        }

        // Pods of old ReplicaSets that have not finished may still be running (Unknown included).
        return _podsBySet
            .Where(kv => newSet is null || kv.Key != newSet.Metadata.Uid)
            .SelectMany(kv => kv.Value)
            .Any(p => p.Status?.Phase is not ("Failed" or "Succeeded"));
    }
}
