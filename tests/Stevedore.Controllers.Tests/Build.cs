using k8s.Models;

namespace Stevedore.Controllers.Tests;

/// <summary>Small builders for API objects used across the controller tests.</summary>
internal static class Build
{
    public static readonly DateTime Now = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    public static V1Pod Pod(
        string name,
        string? node = "n1",
        string phase = "Running",
        bool ready = true,
        DateTime? created = null,
        DateTime? readySince = null,
        int restarts = 0,
        IDictionary<string, string>? labels = null,
        V1OwnerReference? owner = null,
        DateTime? deleting = null,
        string ns = "default")
    {
        return new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Uid = "uid-" + name,
                CreationTimestamp = created ?? Now.AddHours(-1),
                DeletionTimestamp = deleting,
                Labels = labels ?? new Dictionary<string, string> { ["app"] = "web" },
                OwnerReferences = owner is null ? null : [owner],
            },
            Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Image = "busybox" }] },
            Status = new V1PodStatus
            {
                Phase = phase,
                Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = readySince ?? Now.AddMinutes(-30) }],
                ContainerStatuses = [new V1ContainerStatus { Name = "c", RestartCount = restarts, Image = "busybox", ImageID = string.Empty, Ready = ready }],
            },
        };
    }

    public static V1OwnerReference OwnerRef(string kind, string name, string uid, bool controller = true, bool? block = true) => new()
    {
        ApiVersion = kind == "Pod" ? "v1" : "apps/v1",
        Kind = kind,
        Name = name,
        Uid = uid,
        Controller = controller,
        BlockOwnerDeletion = block,
    };

    public static V1ReplicaSet ReplicaSet(string name = "web", int replicas = 3, int minReadySeconds = 0, long generation = 1)
    {
        return new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = "default",
                Uid = "uid-" + name,
                Generation = generation,
                CreationTimestamp = Now.AddDays(-1),
            },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = replicas,
                MinReadySeconds = minReadySeconds,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = PodTemplate("busybox:1"),
            },
            Status = new V1ReplicaSetStatus { Replicas = 0 },
        };
    }

    public static V1PodTemplateSpec PodTemplate(string image) => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = image }] },
    };

    public static V1Deployment Deployment(
        string name = "web",
        int replicas = 3,
        string image = "busybox:1",
        string strategy = "RollingUpdate",
        string maxSurge = "25%",
        string maxUnavailable = "25%",
        int? progressDeadlineSeconds = 600,
        int? revisionHistoryLimit = 10,
        long generation = 1)
    {
        return new V1Deployment
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = "default",
                Uid = "uid-deploy-" + name,
                Generation = generation,
                CreationTimestamp = Now.AddDays(-1),
            },
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = PodTemplate(image),
                Strategy = strategy == "Recreate"
                    ? new V1DeploymentStrategy { Type = "Recreate" }
                    : new V1DeploymentStrategy
                    {
                        Type = "RollingUpdate",
                        RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = maxSurge, MaxUnavailable = maxUnavailable },
                    },
                ProgressDeadlineSeconds = progressDeadlineSeconds,
                RevisionHistoryLimit = revisionHistoryLimit,
            },
            Status = new V1DeploymentStatus(),
        };
    }
}
