using k8s.Models;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.Deployment;

internal sealed partial class DeploymentSync
{
    /// <summary>
    /// Splits the claimed ReplicaSets into the new one (the oldest whose template equals the
    /// Deployment's, ignoring the hash label) and the old ones; syncs the new one's revision
    /// annotations (this is where `rollout undo` gets its next revision number) and optionally creates it.
    /// </summary>
    private (V1ReplicaSet? NewSet, List<V1ReplicaSet> OldSets) AllSetsAndSyncRevision(bool createIfMissing)
    {
        var existing = DeploymentLogic.ByCreation(_sets).FirstOrDefault(rs => PodTemplateHash.EqualIgnoreHash(rs.Spec.Template, _d.Spec.Template));
        var oldSets = _sets.Where(rs => !ReferenceEquals(rs, existing)).ToList();
        var newRevision = ReplicaSetRevisions.MaxRevision(oldSets) + 1;
        if (existing is not null)
        {
            var annotationsChanged = ReplicaSetRevisions.SetNewReplicaSetAnnotations(_d, existing, newRevision, exists: true);
            if (annotationsChanged || existing.Spec.MinReadySeconds != _d.Spec.MinReadySeconds)
            {
                existing.Spec.MinReadySeconds = _d.Spec.MinReadySeconds;
                Record(existing, rs => new UpdateReplicaSet(rs));
            }

            ReplicaSetRevisions.SetDeploymentRevision(_d, existing.Metadata.Annotations?[DeploymentAnnotations.Revision]);
            if (DeploymentStatusLogic.HasProgressDeadline(_d) && DeploymentConditions.Get(_d.Status, DeploymentConditions.Progressing) is null)
            {
                DeploymentConditions.Set(_d.Status!, DeploymentConditions.New(
                    DeploymentConditions.Progressing, "True", DeploymentConditions.FoundNewReplicaSetReason, $"Found new replica set \"{existing.Metadata.Name}\"", _now));
            }

            return (existing, oldSets);
        }

        if (!createIfMissing)
        {
            return (null, oldSets);
        }

        var created = NewReplicaSet(oldSets, newRevision);
        _sets.Add(created);
        Record(created, rs => new CreateReplicaSet(rs));
        if (created.Spec.Replicas > 0)
        {
            _events.Add(new DeploymentEvent("Normal", "ScalingReplicaSet", $"Scaled up replica set {created.Metadata.Name} from 0 to {created.Spec.Replicas}"));
        }

        ReplicaSetRevisions.SetDeploymentRevision(_d, DeploymentLogic.Format(newRevision));
        if (DeploymentStatusLogic.HasProgressDeadline(_d))
        {
            DeploymentConditions.Set(_d.Status!, DeploymentConditions.New(
                DeploymentConditions.Progressing, "True", DeploymentConditions.NewReplicaSetCreatedReason, $"Created new replica set \"{created.Metadata.Name}\"", _now));
        }

        return (created, oldSets);
    }

    private V1ReplicaSet NewReplicaSet(List<V1ReplicaSet> oldSets, long revision)
    {
        var hash = PodTemplateHash.Compute(_d.Spec.Template, _d.Status?.CollisionCount);
        var template = ObjectCopy.Deep(_d.Spec.Template);
        template.Metadata ??= new V1ObjectMeta();
        template.Metadata.Labels = new Dictionary<string, string>(template.Metadata.Labels ?? new Dictionary<string, string>())
        {
            [DeploymentAnnotations.PodTemplateHashLabel] = hash,
        };
        var selector = ObjectCopy.Deep(_d.Spec.Selector);
        selector.MatchLabels = new Dictionary<string, string>(selector.MatchLabels ?? new Dictionary<string, string>())
        {
            [DeploymentAnnotations.PodTemplateHashLabel] = hash,
        };
        var rs = new V1ReplicaSet
        {
            ApiVersion = "apps/v1",
            Kind = "ReplicaSet",
            Metadata = new V1ObjectMeta
            {
                Name = $"{_d.Metadata.Name}-{hash}",
                NamespaceProperty = _d.Metadata.NamespaceProperty,
                OwnerReferences = [ControllerRef.For(DeploymentLogic.ApiVersion, DeploymentLogic.Kind, _d.Metadata)],
                Labels = new Dictionary<string, string>(template.Metadata.Labels),
            },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = 0,
                MinReadySeconds = _d.Spec.MinReadySeconds,
                Selector = selector,
                Template = template,
            },
            Status = new V1ReplicaSetStatus { Replicas = 0 },
        };
        rs.Spec.Replicas = RolloutMath.NewReplicaSetReplicas(_d, [.. oldSets, rs], rs);
        ReplicaSetRevisions.SetNewReplicaSetAnnotations(_d, rs, revision, exists: false);
        return rs;
    }
}
