using System.Globalization;
using k8s.Models;

namespace Stevedore.Controllers.Deployment;

/// <summary>Revision bookkeeping on ReplicaSets and the Deployment (what `kubectl rollout history|undo` reads).</summary>
public static class ReplicaSetRevisions
{
    /// <summary>The revision number of a ReplicaSet, 0 when absent or unparsable.</summary>
    public static long Revision(V1ReplicaSet rs) =>
        rs.Metadata.Annotations?.TryGetValue(DeploymentAnnotations.Revision, out var raw) == true
        && long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            ? revision
            : 0;

    /// <summary>Highest revision among <paramref name="sets"/>.</summary>
    public static long MaxRevision(IEnumerable<V1ReplicaSet> sets) => sets.Select(Revision).DefaultIfEmpty(0).Max();

    /// <summary>An int annotation, or null.</summary>
    public static int? ReadIntAnnotation(V1ReplicaSet rs, string key) =>
        rs.Metadata.Annotations?.TryGetValue(key, out var raw) == true
        && int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    /// <summary>
    /// Copies the Deployment's user annotations, raises the revision to <paramref name="newRevision"/>
    /// when it is higher (recording the previous one in revision-history: that is a rollback to this
    /// template), and for a ReplicaSet about to be created sets the replica annotations.
    /// Returns whether anything changed.
    /// </summary>
    public static bool SetNewReplicaSetAnnotations(V1Deployment d, V1ReplicaSet rs, long newRevision, bool exists, int maxHistoryChars = DeploymentAnnotations.MaxRevisionHistoryLengthInChars)
    {
        var changed = CopyDeploymentAnnotations(d, rs);
        var annotations = rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var hadRevision = annotations.TryGetValue(DeploymentAnnotations.Revision, out var oldRevision);
        long oldRevisionNumber = 0;
        if (!string.IsNullOrEmpty(oldRevision) && !long.TryParse(oldRevision, NumberStyles.None, CultureInfo.InvariantCulture, out oldRevisionNumber))
        {
            return false;
        }

        if (oldRevisionNumber < newRevision)
        {
            annotations[DeploymentAnnotations.Revision] = newRevision.ToString(CultureInfo.InvariantCulture);
            changed = true;
            if (hadRevision && !string.IsNullOrEmpty(oldRevision))
            {
                AppendHistory(annotations, oldRevision, maxHistoryChars);
            }
        }

        if (!exists && SetReplicasAnnotations(rs, RolloutMath.Replicas(d), RolloutMath.Replicas(d) + RolloutMath.MaxSurge(d)))
        {
            changed = true;
        }

        return changed;
    }

    /// <summary>Sets desired-replicas and max-replicas; returns whether they changed.</summary>
    public static bool SetReplicasAnnotations(V1ReplicaSet rs, int desired, int max)
    {
        var annotations = rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var changed = false;
        foreach (var (key, value) in new[] { (DeploymentAnnotations.DesiredReplicas, desired), (DeploymentAnnotations.MaxReplicas, max) })
        {
            var text = value.ToString(CultureInfo.InvariantCulture);
            if (!annotations.TryGetValue(key, out var current) || current != text)
            {
                annotations[key] = text;
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>True when desired-replicas or max-replicas differ from the given values.</summary>
    public static bool ReplicasAnnotationsNeedUpdate(V1ReplicaSet rs, int desired, int max) =>
        ReadIntAnnotation(rs, DeploymentAnnotations.DesiredReplicas) != desired
        || ReadIntAnnotation(rs, DeploymentAnnotations.MaxReplicas) != max;

    /// <summary>Sets the Deployment's revision annotation; returns whether it changed.</summary>
    public static bool SetDeploymentRevision(V1Deployment d, string? revision)
    {
        if (string.IsNullOrEmpty(revision))
        {
            return false;
        }

        var annotations = d.Metadata.Annotations ??= new Dictionary<string, string>();
        if (annotations.TryGetValue(DeploymentAnnotations.Revision, out var current) && current == revision)
        {
            return false;
        }

        annotations[DeploymentAnnotations.Revision] = revision;
        return true;
    }

    private static bool CopyDeploymentAnnotations(V1Deployment d, V1ReplicaSet rs)
    {
        var changed = false;
        var target = rs.Metadata.Annotations ??= new Dictionary<string, string>();
        foreach (var (key, value) in d.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (DeploymentAnnotations.SkipCopy(key) || (target.TryGetValue(key, out var existing) && existing == value))
            {
                continue;
            }

            target[key] = value;
            changed = true;
        }

        return changed;
    }

    private static void AppendHistory(IDictionary<string, string> annotations, string oldRevision, int maxChars)
    {
        var history = annotations.TryGetValue(DeploymentAnnotations.RevisionHistory, out var h) ? h : string.Empty;
        if (history.Length == 0)
        {
            annotations[DeploymentAnnotations.RevisionHistory] = oldRevision;
            return;
        }

        // Drop the oldest entries until the new one fits.
        var entries = history.Split(',').ToList();
        var total = history.Length + oldRevision.Length + 1;
        var start = 0;
        while (total > maxChars && start < entries.Count)
        {
            total -= entries[start].Length + 1;
            start++;
        }

        if (total <= maxChars)
        {
            annotations[DeploymentAnnotations.RevisionHistory] = string.Join(',', entries.Skip(start).Append(oldRevision));
        }
    }
}
