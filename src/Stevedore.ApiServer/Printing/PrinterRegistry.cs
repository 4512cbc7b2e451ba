using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Printing;

/// <summary>
/// The one list of built-in printers, keyed by API group and kind (any version). Kinds that
/// upstream prints with the default table (Roles, ClusterRoles, LimitRanges, CSIDrivers' peers
/// without printers, CRDs, reviews) are deliberately absent and get NAME / CREATED AT.
/// </summary>
internal static class PrinterRegistry
{
    private static readonly Dictionary<(string Group, string Kind), KindPrinter> Printers = new()
    {
        [("", "Pod")] = PodPrinter.Printer,
        [("", "PodTemplate")] = WorkloadPrinters.PodTemplate,
        [("", "ReplicationController")] = WorkloadPrinters.ReplicationController,
        [("", "Service")] = NetworkPrinters.Service,
        [("", "Endpoints")] = NetworkPrinters.Endpoints,
        [("", "Node")] = NodePrinter.Printer,
        [("", "Namespace")] = ConfigPrinters.Namespace,
        [("", "ConfigMap")] = ConfigPrinters.ConfigMap,
        [("", "Secret")] = ConfigPrinters.Secret,
        [("", "ServiceAccount")] = ConfigPrinters.ServiceAccount,
        [("", "ResourceQuota")] = ConfigPrinters.ResourceQuota,
        [("", "Event")] = EventPrinter.Core,
        [("", "PersistentVolume")] = StoragePrinters.PersistentVolume,
        [("", "PersistentVolumeClaim")] = StoragePrinters.PersistentVolumeClaim,

        [("apps", "Deployment")] = WorkloadPrinters.Deployment,
        [("apps", "ReplicaSet")] = WorkloadPrinters.ReplicaSet,
        [("apps", "StatefulSet")] = WorkloadPrinters.StatefulSet,
        [("apps", "DaemonSet")] = WorkloadPrinters.DaemonSet,
        [("apps", "ControllerRevision")] = WorkloadPrinters.ControllerRevision,
        [("batch", "Job")] = WorkloadPrinters.Job,
        [("batch", "CronJob")] = WorkloadPrinters.CronJob,

        [("autoscaling", "HorizontalPodAutoscaler")] = PolicyPrinters.HorizontalPodAutoscaler,
        [("policy", "PodDisruptionBudget")] = PolicyPrinters.PodDisruptionBudget,
        [("rbac.authorization.k8s.io", "RoleBinding")] = PolicyPrinters.RoleBinding,
        [("rbac.authorization.k8s.io", "ClusterRoleBinding")] = PolicyPrinters.ClusterRoleBinding,
        [("admissionregistration.k8s.io", "MutatingWebhookConfiguration")] = PolicyPrinters.MutatingWebhookConfiguration,
        [("admissionregistration.k8s.io", "ValidatingWebhookConfiguration")] = PolicyPrinters.ValidatingWebhookConfiguration,

        [("networking.k8s.io", "Ingress")] = NetworkPrinters.Ingress,
        [("networking.k8s.io", "IngressClass")] = NetworkPrinters.IngressClass,
        [("networking.k8s.io", "NetworkPolicy")] = NetworkPrinters.NetworkPolicy,
        [("discovery.k8s.io", "EndpointSlice")] = NetworkPrinters.EndpointSlice,

        [("storage.k8s.io", "StorageClass")] = StoragePrinters.StorageClass,
        [("storage.k8s.io", "VolumeAttachment")] = StoragePrinters.VolumeAttachment,
        [("storage.k8s.io", "CSIDriver")] = StoragePrinters.CsiDriver,
        [("storage.k8s.io", "CSINode")] = StoragePrinters.CsiNode,

        [("certificates.k8s.io", "CertificateSigningRequest")] = CertificatePrinters.CertificateSigningRequest,
        [("coordination.k8s.io", "Lease")] = ConfigPrinters.Lease,
        [("events.k8s.io", "Event")] = EventPrinter.EventsV1,
        [("scheduling.k8s.io", "PriorityClass")] = ConfigPrinters.PriorityClass,
    };

    /// <summary>NAME and CREATED AT (RFC 3339), upstream's default for kinds without a printer.</summary>
    public static readonly KindPrinter Default = new(
        [Columns.Name, Columns.CreatedAt],
        (o, _) => [Meta.Name(o), Formats.CreatedAt(o.Time("metadata", "creationTimestamp"))]);

    public static KindPrinter For(ApiResource resource) =>
        resource.IsVirtual ? Default : Printers.GetValueOrDefault((resource.Group, resource.Kind), Default);

    /// <summary>True when the kind has its own printer rather than the default table.</summary>
    public static bool HasPrinter(ApiResource resource) => !ReferenceEquals(For(resource), Default);
}
