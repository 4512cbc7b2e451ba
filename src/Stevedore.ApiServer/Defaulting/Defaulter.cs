using System.Text.Json.Nodes;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Defaulting;

/// <summary>
/// Fills the fields upstream Kubernetes defaults when an object is decoded (its
/// <c>SetDefaults_*</c> functions), plus the few values upstream's create strategies and the
/// Priority admission plugin always set. Pure: mutates the given JSON in place, no I/O.
/// </summary>
public static class Defaulter
{
    /// <summary>Applies the defaults of <paramref name="resource"/>'s kind to <paramref name="obj"/> in place.
    /// Kinds without upstream defaults are left untouched.</summary>
    public static void Apply(ApiResource resource, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(obj);
        switch ((resource.Group, resource.Kind))
        {
            case ("", "Pod"): PodDefaults.ApplyPod(obj); break;
            case ("", "PodTemplate"): CoreDefaults.ApplyPodTemplate(obj); break;
            case ("", "ReplicationController"): WorkloadDefaults.ApplyReplicationController(obj); break;
            case ("", "Service"): ServiceDefaults.Apply(obj); break;
            case ("", "Namespace"): CoreDefaults.ApplyNamespace(obj); break;
            case ("", "Secret"): CoreDefaults.ApplySecret(obj); break;
            case ("", "PersistentVolumeClaim"): CoreDefaults.ApplyPersistentVolumeClaim(obj); break;
            case ("", "PersistentVolume"): CoreDefaults.ApplyPersistentVolume(obj); break;
            case ("", "Endpoints"): CoreDefaults.ApplyEndpoints(obj); break;
            case ("", "LimitRange"): CoreDefaults.ApplyLimitRange(obj); break;
            case ("apps", "Deployment"): WorkloadDefaults.ApplyDeployment(obj); break;
            case ("apps", "ReplicaSet"): WorkloadDefaults.ApplyReplicaSet(obj); break;
            case ("apps", "StatefulSet"): WorkloadDefaults.ApplyStatefulSet(obj); break;
            case ("apps", "DaemonSet"): WorkloadDefaults.ApplyDaemonSet(obj); break;
            case ("batch", "Job"): BatchDefaults.ApplyJob(obj); break;
            case ("batch", "CronJob"): BatchDefaults.ApplyCronJob(obj); break;
            case ("autoscaling", "HorizontalPodAutoscaler"): ClusterDefaults.ApplyHorizontalPodAutoscaler(obj); break;
            case ("scheduling.k8s.io", "PriorityClass"): ClusterDefaults.ApplyPriorityClass(obj); break;
            case ("networking.k8s.io", "NetworkPolicy"): ClusterDefaults.ApplyNetworkPolicy(obj); break;
            case ("rbac.authorization.k8s.io", "RoleBinding" or "ClusterRoleBinding"): ClusterDefaults.ApplyRoleBinding(obj); break;
            case ("storage.k8s.io", "StorageClass"): ClusterDefaults.ApplyStorageClass(obj); break;
            case ("storage.k8s.io", "CSIDriver"): ClusterDefaults.ApplyCsiDriver(obj); break;
            case ("discovery.k8s.io", "EndpointSlice"): ClusterDefaults.ApplyEndpointSlice(obj); break;
            case ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): ClusterDefaults.ApplyWebhookConfiguration(obj, mutating: true); break;
            case ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): ClusterDefaults.ApplyWebhookConfiguration(obj, mutating: false); break;
            case ("apiextensions.k8s.io", "CustomResourceDefinition"): ClusterDefaults.ApplyCustomResourceDefinition(obj); break;
        }
    }

    /// <summary>
    /// For a Job created without <c>spec.manualSelector: true</c>: the selector on
    /// <c>batch.kubernetes.io/controller-uid</c> and the uid / job-name labels upstream adds to
    /// the pod template (and to the job itself when it has no labels). Call once the uid is
    /// assigned, after <see cref="Apply"/> and before validation.
    /// </summary>
    public static void ApplyJobSelector(JsonObject job, string uid)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentException.ThrowIfNullOrEmpty(uid);
        BatchDefaults.ApplyGeneratedSelector(job, uid);
    }
}
