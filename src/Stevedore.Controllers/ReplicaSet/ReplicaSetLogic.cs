using k8s;
using k8s.Models;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.ReplicaSet;

/// <summary>
/// The pure decision logic of the ReplicaSet controller (upstream pkg/controller/replicaset):
/// given the ReplicaSet and the pods of its namespace from the informer cache, decide which pods to
/// adopt, release, create and delete, and compute the status to write.
/// </summary>
public static class ReplicaSetLogic
{
    /// <summary>Upstream BurstReplicas: at most this many creates or deletes per sync.</summary>
    public const int BurstReplicas = 500;

    /// <summary>Slow-start batches begin with a single create, so a failing template costs one call.</summary>
    public const int SlowStartInitialBatchSize = 1;

    /// <summary>Reason of the ReplicaFailure condition when creates fail.</summary>
    public const string FailedCreateReason = "FailedCreate";

    /// <summary>Reason of the ReplicaFailure condition when deletes fail.</summary>
    public const string FailedDeleteReason = "FailedDelete";

    private const string ApiVersion = "apps/v1";
    private const string Kind = "ReplicaSet";

    /// <summary>
    /// Decides one sync. <paramref name="namespacePods"/> are all pods of the ReplicaSet's namespace
    /// (terminating and finished pods are ignored here). <paramref name="expectationsSatisfied"/> comes
    /// from <see cref="ControllerExpectations.Satisfied"/>: while false no pods are created or deleted.
    /// <paramref name="relatedPods"/> are the pods of sibling ReplicaSets of the same Deployment used to
    /// rank deletions; defaults to the claimed pods.
    /// </summary>
    public static ReplicaSetDecision Decide(
        V1ReplicaSet rs,
        IReadOnlyList<V1Pod> namespacePods,
        bool expectationsSatisfied,
        DateTime now,
        IReadOnlyList<V1Pod>? relatedPods = null)
    {
        var active = namespacePods.Where(PodState.IsActive).ToList();
        var claim = ControllerRefManager.Claim(rs.Metadata, rs.Spec.Selector, active);
        var claimed = claim.Claimed;

        var create = 0;
        V1Pod? template = null;
        IReadOnlyList<V1Pod> delete = [];
        if (expectationsSatisfied && rs.Metadata.DeletionTimestamp is null)
        {
            var diff = claimed.Count - (rs.Spec.Replicas ?? 1);
            if (diff < 0)
            {
                create = Math.Min(-diff, BurstReplicas);
                template = NewPod(rs);
            }
            else if (diff > 0)
            {
                delete = PodDeletionOrder.Choose(claimed, Math.Min(diff, BurstReplicas), relatedPods ?? claimed, now);
            }
        }

        var status = ComputeStatus(rs, claimed, manageReplicasError: null, now);
        return new ReplicaSetDecision(claim, create, template, delete, status, StatusDiffers(rs.Status, status), RequeueAfter(rs, status));
    }

    /// <summary>
    /// The status for <paramref name="claimedPods"/> (active pods the ReplicaSet owns).
    /// <paramref name="manageReplicasError"/> is the error of a failed create/delete in this sync, which
    /// sets the ReplicaFailure condition; a clean sync clears it.
    /// </summary>
    public static V1ReplicaSetStatus ComputeStatus(V1ReplicaSet rs, IReadOnlyList<V1Pod> claimedPods, string? manageReplicasError, DateTime now)
    {
        var minReady = rs.Spec.MinReadySeconds ?? 0;
        var templateLabels = rs.Spec.Template?.Metadata?.Labels;
        var conditions = (rs.Status?.Conditions ?? []).Select(ObjectCopy.Deep).ToList();
        var failure = conditions.FirstOrDefault(c => c.Type == "ReplicaFailure");
        if (manageReplicasError is not null && failure is null)
        {
            var diff = claimedPods.Count - (rs.Spec.Replicas ?? 1);
            var reason = diff < 0 ? FailedCreateReason : diff > 0 ? FailedDeleteReason : string.Empty;
            conditions.Add(new V1ReplicaSetCondition
            {
                Type = "ReplicaFailure",
                Status = "True",
                Reason = reason,
                Message = manageReplicasError,
                LastTransitionTime = now,
            });
        }
        else if (manageReplicasError is null && failure is not null)
        {
            conditions.Remove(failure);
        }

        return new V1ReplicaSetStatus
        {
            Replicas = claimedPods.Count,
            FullyLabeledReplicas = claimedPods.Count(p => LabelSelectorMatcher.IsSubset(templateLabels, p.Metadata?.Labels)),
            ReadyReplicas = claimedPods.Count(PodState.IsReady),
            AvailableReplicas = claimedPods.Count(p => PodState.IsAvailable(p, minReady, now)),
            ObservedGeneration = rs.Metadata.Generation,
            Conditions = conditions.Count == 0 ? null : conditions,
        };
    }

    /// <summary>
    /// The pod to create from the template: generateName "&lt;rs-name&gt;-", the template's labels,
    /// annotations and finalizers, and a controller reference that blocks owner deletion.
    /// </summary>
    public static V1Pod NewPod(V1ReplicaSet rs)
    {
        var template = rs.Spec.Template ?? new V1PodTemplateSpec();
        var meta = template.Metadata;
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                GenerateName = rs.Metadata.Name + "-",
                NamespaceProperty = rs.Metadata.NamespaceProperty,
                Labels = meta?.Labels is null ? null : new Dictionary<string, string>(meta.Labels),
                Annotations = meta?.Annotations is null ? null : new Dictionary<string, string>(meta.Annotations),
                Finalizers = meta?.Finalizers is null ? null : [.. meta.Finalizers],
                OwnerReferences = [ControllerRef.For(ApiVersion, Kind, rs.Metadata)],
            },
            Spec = ObjectCopy.Deep(template.Spec),
        };
    }

    /// <summary>
    /// Batch sizes for issuing <paramref name="count"/> creates: 1, 2, 4, … (upstream slowStartBatch).
    /// Stop at the first batch with a failure and observe the creates that were never sent.
    /// </summary>
    public static IReadOnlyList<int> SlowStartBatches(int count)
    {
        var batches = new List<int>();
        var remaining = count;
        for (var size = Math.Min(remaining, SlowStartInitialBatchSize); size > 0; size = Math.Min(2 * size, remaining))
        {
            batches.Add(size);
            remaining -= size;
        }

        return batches;
    }

    /// <summary>The expectations key of a pod: namespace/name.</summary>
    public static string PodKey(V1Pod pod) => $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";

    private static TimeSpan? RequeueAfter(V1ReplicaSet rs, V1ReplicaSetStatus status)
    {
        // Pods that are ready but still inside minReadySeconds become available without any event,
        // so look again once the window has passed.
        var minReady = rs.Spec.MinReadySeconds ?? 0;
        var replicas = rs.Spec.Replicas ?? 1;
        return minReady > 0 && status.ReadyReplicas == replicas && status.AvailableReplicas != replicas
            ? TimeSpan.FromSeconds(minReady)
            : null;
    }

    private static bool StatusDiffers(V1ReplicaSetStatus? stored, V1ReplicaSetStatus computed) =>
        stored is null || KubernetesJson.Serialize(Normalize(stored)) != KubernetesJson.Serialize(Normalize(computed));

    private static V1ReplicaSetStatus Normalize(V1ReplicaSetStatus s) => new()
    {
        Replicas = s.Replicas,
        FullyLabeledReplicas = s.FullyLabeledReplicas ?? 0,
        ReadyReplicas = s.ReadyReplicas ?? 0,
        AvailableReplicas = s.AvailableReplicas ?? 0,
        ObservedGeneration = s.ObservedGeneration,
        Conditions = s.Conditions is { Count: > 0 } ? s.Conditions : null,
    };
}
