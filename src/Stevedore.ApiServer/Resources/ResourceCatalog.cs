using k8s.Models;

namespace Stevedore.ApiServer.Resources;

/// <summary>
/// Every built-in resource the API server serves, with the upstream short names and
/// categories. This is the one list: discovery, OpenAPI, routing, storage keys and
/// Table output all read it.
/// </summary>
public sealed class ResourceCatalog
{
    private readonly Dictionary<(string Group, string Version, string Plural), ApiResource> _byPath = [];
    private readonly Dictionary<(string Group, string Version, string Kind), ApiResource> _byKind = [];

    public ResourceCatalog(IEnumerable<ApiResource> resources)
    {
        All = [.. resources];
        foreach (var r in All)
        {
            _byPath.Add((r.Group, r.Version, r.Plural), r);
            _byKind.Add((r.Group, r.Version, r.Kind), r);
        }
    }

    public IReadOnlyList<ApiResource> All { get; }

    /// <summary>Group versions in discovery order (core first, then as listed).</summary>
    public IEnumerable<string> GroupVersions => All.Select(r => r.GroupVersion).Distinct();

    public IEnumerable<string> Groups => All.Where(r => r.Group.Length > 0).Select(r => r.Group).Distinct();

    public ApiResource? Find(string group, string version, string plural) =>
        _byPath.GetValueOrDefault((group, version, plural));

    public ApiResource? FindByKind(string group, string version, string kind) =>
        _byKind.GetValueOrDefault((group, version, kind));

    public IEnumerable<ApiResource> InGroupVersion(string group, string version) =>
        All.Where(r => r.Group == group && r.Version == version);

    public static ResourceCatalog CreateBuiltIn() => new(BuiltIn());

    private static readonly string[] All_ = ["all"];

    private static IEnumerable<ApiResource> BuiltIn()
    {
        string[] status = ["status"];
        string[] statusScale = ["status", "scale"];

        // core/v1
        yield return Core<V1Namespace>("namespaces", false, ["ns"], subresources: ["status", "finalize"],
            verbs: ["create", "delete", "get", "list", "patch", "update", "watch"]);
        yield return Core<V1Pod>("pods", true, ["po"], All_, ["status", "binding", "eviction", "log", "exec", "attach", "portforward", "ephemeralcontainers"]);
        yield return Core<V1Service>("services", true, ["svc"], All_, status,
            verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]);
        yield return Core<V1Endpoints>("endpoints", true, ["ep"]);
        yield return Core<V1ConfigMap>("configmaps", true, ["cm"]);
        yield return Core<V1Secret>("secrets", true);
        yield return Core<V1ServiceAccount>("serviceaccounts", true, ["sa"], subresources: ["token"]);
        yield return Core<V1Node>("nodes", false, ["no"], subresources: status);
        yield return Core<Corev1Event>("events", true, ["ev"]);
        yield return Core<V1PersistentVolume>("persistentvolumes", false, ["pv"], subresources: status);
        yield return Core<V1PersistentVolumeClaim>("persistentvolumeclaims", true, ["pvc"], subresources: status);
        yield return Core<V1ResourceQuota>("resourcequotas", true, ["quota"], subresources: status);
        yield return Core<V1LimitRange>("limitranges", true, ["limits"]);
        yield return Core<V1PodTemplate>("podtemplates", true);
        yield return Core<V1ReplicationController>("replicationcontrollers", true, ["rc"], All_, statusScale);
        yield return Core<V1Binding>("bindings", true, verbs: ApiResource.CreateOnlyVerbs, isVirtual: true);

        // apps/v1
        yield return Of<V1Deployment>("apps", "v1", "deployments", true, ["deploy"], All_, statusScale);
        yield return Of<V1ReplicaSet>("apps", "v1", "replicasets", true, ["rs"], All_, statusScale);
        yield return Of<V1StatefulSet>("apps", "v1", "statefulsets", true, ["sts"], All_, statusScale);
        yield return Of<V1DaemonSet>("apps", "v1", "daemonsets", true, ["ds"], All_, status);
        yield return Of<V1ControllerRevision>("apps", "v1", "controllerrevisions", true);

        // batch/v1
        yield return Of<V1Job>("batch", "v1", "jobs", true, [], All_, status);
        yield return Of<V1CronJob>("batch", "v1", "cronjobs", true, ["cj"], All_, status);

        // autoscaling/v2
        yield return Of<V2HorizontalPodAutoscaler>("autoscaling", "v2", "horizontalpodautoscalers", true, ["hpa"], All_, status);

        // policy/v1
        yield return Of<V1PodDisruptionBudget>("policy", "v1", "poddisruptionbudgets", true, ["pdb"], [], status);

        // rbac.authorization.k8s.io/v1
        const string rbac = "rbac.authorization.k8s.io";
        yield return Of<V1Role>(rbac, "v1", "roles", true);
        yield return Of<V1RoleBinding>(rbac, "v1", "rolebindings", true);
        yield return Of<V1ClusterRole>(rbac, "v1", "clusterroles", false);
        yield return Of<V1ClusterRoleBinding>(rbac, "v1", "clusterrolebindings", false);

        // networking.k8s.io/v1
        const string networking = "networking.k8s.io";
        yield return Of<V1NetworkPolicy>(networking, "v1", "networkpolicies", true, ["netpol"]);
        yield return Of<V1Ingress>(networking, "v1", "ingresses", true, ["ing"], [], status);
        yield return Of<V1IngressClass>(networking, "v1", "ingressclasses", false);

        // storage.k8s.io/v1
        const string storage = "storage.k8s.io";
        yield return Of<V1StorageClass>(storage, "v1", "storageclasses", false, ["sc"]);
        yield return Of<V1VolumeAttachment>(storage, "v1", "volumeattachments", false, [], [], status);
        yield return Of<V1CSIDriver>(storage, "v1", "csidrivers", false);
        yield return Of<V1CSINode>(storage, "v1", "csinodes", false);

        // coordination.k8s.io/v1
        yield return Of<V1Lease>("coordination.k8s.io", "v1", "leases", true);

        // certificates.k8s.io/v1: /approval sets the Approved/Denied conditions, /status the issued certificate
        yield return Of<V1CertificateSigningRequest>("certificates.k8s.io", "v1", "certificatesigningrequests", false, ["csr"], [], ["status", "approval"]);

        // events.k8s.io/v1
        yield return Of<Eventsv1Event>("events.k8s.io", "v1", "events", true, ["ev"]);

        // discovery.k8s.io/v1
        yield return Of<V1EndpointSlice>("discovery.k8s.io", "v1", "endpointslices", true);

        // scheduling.k8s.io/v1
        yield return Of<V1PriorityClass>("scheduling.k8s.io", "v1", "priorityclasses", false, ["pc"]);

        // admissionregistration.k8s.io/v1
        const string admission = "admissionregistration.k8s.io";
        yield return Of<V1MutatingWebhookConfiguration>(admission, "v1", "mutatingwebhookconfigurations", false, [], ["api-extensions"]);
        yield return Of<V1ValidatingWebhookConfiguration>(admission, "v1", "validatingwebhookconfigurations", false, [], ["api-extensions"]);

        // apiextensions.k8s.io/v1
        yield return Of<V1CustomResourceDefinition>("apiextensions.k8s.io", "v1", "customresourcedefinitions", false, ["crd", "crds"], ["api-extensions"], status);

        // authorization.k8s.io/v1 and authentication.k8s.io/v1: reviews are answered, never stored
        const string authz = "authorization.k8s.io";
        yield return Of<V1SelfSubjectAccessReview>(authz, "v1", "selfsubjectaccessreviews", false, verbs: ApiResource.CreateOnlyVerbs, isVirtual: true);
        yield return Of<V1SelfSubjectRulesReview>(authz, "v1", "selfsubjectrulesreviews", false, verbs: ApiResource.CreateOnlyVerbs, isVirtual: true);
        yield return Of<V1SubjectAccessReview>(authz, "v1", "subjectaccessreviews", false, verbs: ApiResource.CreateOnlyVerbs, isVirtual: true);
        yield return Of<V1LocalSubjectAccessReview>(authz, "v1", "localsubjectaccessreviews", true, verbs: ApiResource.CreateOnlyVerbs, isVirtual: true);
        const string authn = "authentication.k8s.io";
        yield return Of<V1TokenReview>(authn, "v1", "tokenreviews", false, verbs: ApiResource.CreateOnlyVerbs, isVirtual: true);
        yield return Of<V1SelfSubjectReview>(authn, "v1", "selfsubjectreviews", false, verbs: ApiResource.CreateOnlyVerbs, isVirtual: true);

        // kubectl 1.27's `auth whoami` still asks for v1beta1; the shape is the same as v1.
        yield return Of<V1SelfSubjectReview>(authn, "v1beta1", "selfsubjectreviews", false, verbs: ApiResource.CreateOnlyVerbs, isVirtual: true);
    }

    private static ApiResource Core<T>(string plural, bool namespaced, string[]? shortNames = null, string[]? categories = null,
        string[]? subresources = null, IReadOnlyList<string>? verbs = null, bool isVirtual = false) =>
        Of<T>("", "v1", plural, namespaced, shortNames, categories, subresources, verbs, isVirtual);

    private static ApiResource Of<T>(string group, string version, string plural, bool namespaced, string[]? shortNames = null,
        string[]? categories = null, string[]? subresources = null, IReadOnlyList<string>? verbs = null, bool isVirtual = false)
    {
        var kindAttribute = (KubernetesEntityAttribute?)Attribute.GetCustomAttribute(typeof(T), typeof(KubernetesEntityAttribute));
        var kind = kindAttribute?.Kind ?? throw new InvalidOperationException($"{typeof(T).Name} has no KubernetesEntity attribute");
        return new ApiResource
        {
            Group = group,
            Version = version,
            Kind = kind,
            Plural = plural,
            Namespaced = namespaced,
            ModelType = typeof(T),
            ShortNames = shortNames ?? [],
            Categories = categories ?? [],
            Subresources = subresources ?? [],
            Verbs = verbs ?? ApiResource.StandardVerbs,
            IsVirtual = isVirtual,
        };
    }
}
