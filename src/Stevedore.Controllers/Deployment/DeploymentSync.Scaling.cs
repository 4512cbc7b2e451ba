using k8s.Models;

namespace Stevedore.Controllers.Deployment;

internal sealed partial class DeploymentSync
{
    /// <summary>Paused or a replicas change mid-rollout: scale without rolling, clean history when paused, plain status.</summary>
    private void ScaleAndCleanup()
    {
        var (newSet, oldSets) = AllSetsAndSyncRevision(createIfMissing: false);
        Scale(newSet, oldSets);
        if (_d.Spec.Paused == true)
        {
            CleanupHistory(oldSets);
        }

        _status = DeploymentStatusLogic.Compute(_d, All(newSet, oldSets), newSet, _now);
    }

    /// <summary>
    /// One active ReplicaSet takes the whole count; a saturated new ReplicaSet empties the old ones;
    /// otherwise the difference is spread proportionally to the sizes (upstream "proportional scaling"),
    /// leftovers going to the largest ReplicaSet.
    /// </summary>
    private void Scale(V1ReplicaSet? newSet, List<V1ReplicaSet> oldSets)
    {
        if (ActiveOrLatest(newSet, oldSets) is { } only)
        {
            if ((only.Spec.Replicas ?? 0) != Replicas)
            {
                ScaleAndRecordEvent(only, Replicas);
            }

            return;
        }

        if (RolloutMath.IsSaturated(_d, newSet))
        {
            foreach (var rs in Active(oldSets))
            {
                ScaleAndRecordEvent(rs, 0);
            }

            return;
        }

        if (!RolloutMath.IsRollingUpdate(_d))
        {
            return;
        }

        var active = Active(All(newSet, oldSets));
        var allowed = Replicas > 0 ? Replicas + RolloutMath.MaxSurge(_d) : 0;
        var toAdd = allowed - RolloutMath.SpecReplicas(active);
        var operation = toAdd > 0 ? "up" : toAdd < 0 ? "down" : string.Empty;
        var ordered = toAdd switch
        {
            > 0 => active.OrderByDescending(rs => rs.Spec.Replicas ?? 0)
                .ThenByDescending(rs => rs.Metadata.CreationTimestamp ?? DateTime.MinValue)
                .ThenByDescending(rs => rs.Metadata.Name, StringComparer.Ordinal).ToList(),
            < 0 => active.OrderByDescending(rs => rs.Spec.Replicas ?? 0)
                .ThenBy(rs => rs.Metadata.CreationTimestamp ?? DateTime.MinValue)
                .ThenBy(rs => rs.Metadata.Name, StringComparer.Ordinal).ToList(),
            _ => active,
        };
        var added = 0;
        var sizes = new Dictionary<V1ReplicaSet, int>(ReferenceEqualityComparer.Instance);
        foreach (var rs in ordered)
        {
            var proportion = RolloutMath.Proportion(rs, _d, toAdd, added);
            sizes[rs] = (rs.Spec.Replicas ?? 0) + proportion;
            added += proportion;
        }

        for (var i = 0; i < ordered.Count; i++)
        {
            var rs = ordered[i];
            if (i == 0 && toAdd != 0)
            {
                sizes[rs] = Math.Max(0, sizes[rs] + toAdd - added);
            }

            ScaleReplicaSet(rs, sizes[rs], operation);
        }
    }

    private static V1ReplicaSet? ActiveOrLatest(V1ReplicaSet? newSet, List<V1ReplicaSet> oldSets)
    {
        if (newSet is null && oldSets.Count == 0)
        {
            return null;
        }

        var newestFirst = DeploymentLogic.ByCreation(oldSets).Reverse().ToList();
        var active = Active(All(newSet, newestFirst));
        return active.Count switch
        {
            0 => newSet ?? newestFirst[0],
            1 => active[0],
            _ => null,
        };
    }

    private bool ScaleAndRecordEvent(V1ReplicaSet rs, int newScale)
    {
        var current = rs.Spec.Replicas ?? 0;
        return current != newScale && ScaleReplicaSet(rs, newScale, current < newScale ? "up" : "down");
    }

    /// <summary>Writes the size and the replica annotations; returns whether the size changed.</summary>
    private bool ScaleReplicaSet(V1ReplicaSet rs, int newScale, string operation)
    {
        var old = rs.Spec.Replicas ?? 0;
        var sizeChanged = old != newScale;
        var max = Replicas + RolloutMath.MaxSurge(_d);
        if (!sizeChanged && !ReplicaSetRevisions.ReplicasAnnotationsNeedUpdate(rs, Replicas, max))
        {
            return false;
        }

        rs.Spec.Replicas = newScale;
        ReplicaSetRevisions.SetReplicasAnnotations(rs, Replicas, max);
        Record(rs, r => new UpdateReplicaSet(r));
        if (sizeChanged)
        {
            _events.Add(new DeploymentEvent("Normal", "ScalingReplicaSet", $"Scaled {operation} replica set {rs.Metadata.Name} from {old} to {newScale}"));
        }

        return sizeChanged;
    }

    /// <summary>Deletes the oldest revisions beyond revisionHistoryLimit, only when fully scaled down and settled.</summary>
    private void CleanupHistory(List<V1ReplicaSet> oldSets)
    {
        if (_d.Spec.RevisionHistoryLimit is not { } limit)
        {
            return;
        }

        var cleanable = oldSets.Where(rs => rs.Metadata.DeletionTimestamp is null).ToList();
        var diff = cleanable.Count - limit;
        if (diff <= 0)
        {
            return;
        }

        var byRevision = cleanable
            .OrderBy(ReplicaSetRevisions.Revision)
            .ThenBy(rs => rs.Metadata.CreationTimestamp ?? DateTime.MinValue)
            .ThenBy(rs => rs.Metadata.Name, StringComparer.Ordinal)
            .Take(diff);
        foreach (var rs in byRevision)
        {
            if ((rs.Status?.Replicas ?? 0) != 0 || (rs.Spec.Replicas ?? 0) != 0
                || (rs.Metadata.Generation ?? 0) > (rs.Status?.ObservedGeneration ?? 0)
                || _actions.Any(a => ReferenceEquals(a.ReplicaSet, rs)))
            {
                continue;
            }

            _actions.Add(new DeleteReplicaSet(rs));
        }
    }
}
