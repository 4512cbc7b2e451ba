using k8s.Models;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.Deployment;

/// <summary>
/// One sync of one Deployment, simulated on private copies: every write is recorded as an action and
/// applied to the copy, so later steps (and the status) see the world as it will be after the writes,
/// just as upstream sees the objects returned by its API calls.
/// </summary>
internal sealed partial class DeploymentSync
{
    private readonly V1Deployment _original;
    private readonly V1Deployment _d;
    private readonly DateTime _now;
    private readonly List<DeploymentAction> _actions = [];
    private readonly List<DeploymentEvent> _events = [];
    private List<V1ReplicaSet> _sets = [];
    private Dictionary<string, List<V1Pod>> _podsBySet = [];
    private V1DeploymentStatus? _status;
    private bool _rolloutStatus;

    public DeploymentSync(V1Deployment deployment, DateTime now)
    {
        _original = deployment;
        _d = ObjectCopy.Deep(deployment);
        _d.Status ??= new V1DeploymentStatus();
        _now = now;
    }

    private int Replicas => RolloutMath.Replicas(_d);

    public DeploymentDecision Run(IReadOnlyList<V1ReplicaSet> namespaceSets, IReadOnlyList<V1Pod> pods)
    {
        if (LabelSelectorMatcher.IsEmpty(_d.Spec.Selector))
        {
            _events.Add(new DeploymentEvent("Warning", "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required."));
            if ((_d.Status!.ObservedGeneration ?? 0) < (_d.Metadata.Generation ?? 0))
            {
                _d.Status.ObservedGeneration = _d.Metadata.Generation;
            }

            return Finish(_d.Status);
        }

        Claim(namespaceSets, pods);
        if (_d.Metadata.DeletionTimestamp is not null)
        {
            var (newSet, oldSets) = AllSetsAndSyncRevision(createIfMissing: false);
            return Finish(DeploymentStatusLogic.Compute(_d, All(newSet, oldSets), newSet, _now));
        }

        CheckPausedConditions();
        if (_d.Spec.Paused == true || IsScalingEvent())
        {
            ScaleAndCleanup();
        }
        else if (RolloutMath.IsRollingUpdate(_d))
        {
            RolloutRolling();
        }
        else
        {
            RolloutRecreate();
        }

        return Finish(_status!);
    }

    private void Claim(IReadOnlyList<V1ReplicaSet> namespaceSets, IReadOnlyList<V1Pod> pods)
    {
        var claim = ControllerRefManager.Claim(_d.Metadata, _d.Spec.Selector, namespaceSets);
        var controllerRef = ControllerRef.For(DeploymentLogic.ApiVersion, DeploymentLogic.Kind, _d.Metadata);
        foreach (var rs in claim.ToAdopt)
        {
            _actions.Add(new AdoptReplicaSet(rs, ControllerRefManager.AdoptPatch(rs.Metadata.Uid, controllerRef)));
        }

        foreach (var rs in claim.ToRelease)
        {
            _actions.Add(new ReleaseReplicaSet(rs, ControllerRefManager.ReleasePatch(rs.Metadata.Uid, _d.Metadata.Uid)));
        }

        _sets = claim.Claimed.Select(ObjectCopy.Deep).ToList();
        var uids = _sets.Select(rs => rs.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
        _podsBySet = pods
            .Select(p => (Pod: p, Owner: ControllerRef.Of(p.Metadata)?.Uid))
            .Where(x => x.Owner is not null && uids.Contains(x.Owner))
            .GroupBy(x => x.Owner!)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Pod).ToList());
    }

    private void CheckPausedConditions()
    {
        if (!DeploymentStatusLogic.HasProgressDeadline(_d))
        {
            return;
        }

        var progressing = DeploymentConditions.Get(_d.Status, DeploymentConditions.Progressing);
        if (progressing?.Reason == DeploymentConditions.ProgressDeadlineExceededReason)
        {
            return;
        }

        var pausedRecorded = progressing?.Reason == DeploymentConditions.PausedReason;
        if (_d.Spec.Paused == true && !pausedRecorded)
        {
            DeploymentConditions.Set(_d.Status!, DeploymentConditions.New(DeploymentConditions.Progressing, "Unknown", DeploymentConditions.PausedReason, "Deployment is paused", _now));
        }
        else if (_d.Spec.Paused != true && pausedRecorded)
        {
            DeploymentConditions.Set(_d.Status!, DeploymentConditions.New(DeploymentConditions.Progressing, "Unknown", DeploymentConditions.ResumedReason, "Deployment is resumed", _now));
        }
    }

    private bool IsScalingEvent()
    {
        var (newSet, oldSets) = AllSetsAndSyncRevision(createIfMissing: false);
        return Active(All(newSet, oldSets)).Any(rs =>
            ReplicaSetRevisions.ReadIntAnnotation(rs, DeploymentAnnotations.DesiredReplicas) is { } desired && desired != Replicas);
    }

    private DeploymentDecision Finish(V1DeploymentStatus status)
    {
        var changed = DeploymentStatusLogic.Differs(_original.Status, status);
        TimeSpan? requeue = !changed && _rolloutStatus ? DeploymentStatusLogic.RequeueAfter(_d, status, _now) : null;
        var originalRevision = _original.Metadata.Annotations?.TryGetValue(DeploymentAnnotations.Revision, out var r) == true ? r : null;
        var revision = _d.Metadata.Annotations?.TryGetValue(DeploymentAnnotations.Revision, out var n) == true ? n : null;
        return new DeploymentDecision(_actions, _events, originalRevision != revision ? revision : null, status, changed, requeue);
    }

    private static List<V1ReplicaSet> All(V1ReplicaSet? newSet, IEnumerable<V1ReplicaSet> oldSets) =>
        newSet is null ? [.. oldSets] : [.. oldSets, newSet];

    private static List<V1ReplicaSet> Active(IEnumerable<V1ReplicaSet?> sets) =>
        sets.Where(rs => rs is not null && (rs.Spec.Replicas ?? 0) > 0).Select(rs => rs!).ToList();

    private void Record(V1ReplicaSet rs, Func<V1ReplicaSet, DeploymentAction> action)
    {
        // Each ReplicaSet is written once; the recorded object is the live copy, so it carries the final state.
        if (!_actions.Any(a => a is CreateReplicaSet or UpdateReplicaSet && ReferenceEquals(a.ReplicaSet, rs)))
        {
            _actions.Add(action(rs));
        }
    }
}
