using k8s.Models;
using Stevedore.Controllers.Common;
using Stevedore.Controllers.Deployment;

namespace Stevedore.Controllers.Tests.Deployment;

/// <summary>
/// Applies Deployment decisions to an in-memory set of ReplicaSets and lets ReplicaSets "run" their
/// pods, so whole rollouts can be driven step by step with an explicit clock.
/// </summary>
internal sealed class FakeDeploymentCluster
{
    private int _uid;

    public FakeDeploymentCluster(V1Deployment deployment) => Deployment = deployment;

    public V1Deployment Deployment { get; private set; }

    public List<V1ReplicaSet> Sets { get; } = [];

    public DateTime Now { get; set; } = Build.Now;

    /// <summary>Whether pods of the given ReplicaSet become ready and available at once.</summary>
    public Func<V1ReplicaSet, bool> PodsBecomeAvailable { get; set; } = _ => true;

    public List<DeploymentEvent> Events { get; } = [];

    public DeploymentDecision Sync()
    {
        var decision = DeploymentLogic.Decide(Deployment, Sets, [], Now);
        foreach (var action in decision.Actions)
        {
            var rs = ObjectCopy.Deep(action.ReplicaSet);
            switch (action)
            {
                case CreateReplicaSet:
                    rs.Metadata.Uid = $"rs-{++_uid}";
                    rs.Metadata.CreationTimestamp = Now;
                    rs.Metadata.Generation = 1;
                    Sets.Add(rs);
                    break;
                case UpdateReplicaSet:
                    var index = Sets.FindIndex(s => s.Metadata.Uid == rs.Metadata.Uid);
                    rs.Metadata.Generation = (rs.Metadata.Generation ?? 1) + 1;
                    Sets[index] = rs;
                    break;
                case DeleteReplicaSet:
                    Sets.RemoveAll(s => s.Metadata.Uid == rs.Metadata.Uid);
                    break;
                case AdoptReplicaSet:
                    Sets.First(s => s.Metadata.Uid == rs.Metadata.Uid).Metadata.OwnerReferences =
                        [ControllerRef.For("apps/v1", "Deployment", Deployment.Metadata)];
                    break;
            }
        }

        if (decision.Revision is not null)
        {
            Deployment.Metadata.Annotations ??= new Dictionary<string, string>();
            Deployment.Metadata.Annotations[DeploymentAnnotations.Revision] = decision.Revision;
        }

        if (decision.StatusChanged)
        {
            Deployment.Status = decision.Status;
        }

        Events.AddRange(decision.Events);
        return decision;
    }

    /// <summary>The ReplicaSet controller catches up: every ReplicaSet runs spec.replicas pods.</summary>
    public bool Settle()
    {
        var before = k8s.KubernetesJson.Serialize(Sets.Select(s => s.Status).ToList());
        foreach (var rs in Sets)
        {
            var replicas = rs.Spec.Replicas ?? 0;
            var available = PodsBecomeAvailable(rs) ? replicas : 0;
            rs.Status = new V1ReplicaSetStatus
            {
                Replicas = replicas,
                ReadyReplicas = available,
                AvailableReplicas = available,
                ObservedGeneration = rs.Metadata.Generation,
            };
        }

        return before != k8s.KubernetesJson.Serialize(Sets.Select(s => s.Status).ToList());
    }

    /// <summary>Sync and settle until nothing changes; <paramref name="check"/> runs after every sync.</summary>
    public int RunToQuiescence(Action<FakeDeploymentCluster>? check = null, int maxSteps = 100)
    {
        for (var step = 1; step <= maxSteps; step++)
        {
            var decision = Sync();
            check?.Invoke(this);
            var settled = Settle();
            Now = Now.AddSeconds(1);
            if (decision.Actions.Count == 0 && !decision.StatusChanged && !settled)
            {
                return step;
            }
        }

        throw new InvalidOperationException("the rollout did not settle");
    }

    public void ChangeSpec(Action<V1DeploymentSpec> change)
    {
        change(Deployment.Spec);
        Deployment.Metadata.Generation = (Deployment.Metadata.Generation ?? 1) + 1;
    }

    public V1ReplicaSet ByImage(string image) => Sets.Single(s => s.Spec.Template.Spec.Containers[0].Image == image);

    public string? Revision(V1ReplicaSet rs) => rs.Metadata.Annotations?.TryGetValue(DeploymentAnnotations.Revision, out var r) == true ? r : null;
}
