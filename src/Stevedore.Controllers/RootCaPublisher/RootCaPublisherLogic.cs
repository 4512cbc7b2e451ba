using k8s.Models;

namespace Stevedore.Controllers.RootCaPublisher;

/// <summary>What the publisher does for one namespace.</summary>
public enum RootCaAction
{
    /// <summary>The ConfigMap is there with the right data and description.</summary>
    None,

    /// <summary>No ConfigMap yet: create <see cref="RootCaPublisherLogic.Desired"/>.</summary>
    Create,

    /// <summary>The ConfigMap differs: replace its data and set the description.</summary>
    Update,
}

/// <summary>
/// The root CA publisher's decision (upstream <c>rootcacertpublisher</c>): every active namespace holds a
/// <c>kube-root-ca.crt</c> ConfigMap whose only data key <c>ca.crt</c> is the cluster CA, so pods can
/// verify the API server (the ServiceAccount admission mounts it beside the token).
/// </summary>
public static class RootCaPublisherLogic
{
    public const string ConfigMapName = "kube-root-ca.crt";
    public const string CaKey = "ca.crt";
    public const string DescriptionAnnotation = "kubernetes.io/description";

    /// <summary>Upstream's wording, so tools that show it read the same.</summary>
    public const string Description =
        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. " +
        "No other usage is guaranteed across distributions of Kubernetes clusters.";

    /// <summary>Create when missing, update when data or description differ, nothing for a terminating namespace.</summary>
    public static RootCaAction Decide(V1Namespace ns, V1ConfigMap? existing, string caPem)
    {
        if (ns.Metadata.DeletionTimestamp is not null || ns.Status?.Phase == "Terminating")
        {
            return RootCaAction.None;
        }

        if (existing is null)
        {
            return RootCaAction.Create;
        }

        var dataMatches = existing.Data is { Count: 1 } data && data.TryGetValue(CaKey, out var ca) && ca == caPem;
        var described = existing.Metadata.Annotations?.TryGetValue(DescriptionAnnotation, out var d) == true && d.Length > 0;
        return dataMatches && described ? RootCaAction.None : RootCaAction.Update;
    }

    /// <summary>The ConfigMap to create in <paramref name="ns"/>.</summary>
    public static V1ConfigMap Desired(string ns, string caPem) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta
        {
            Name = ConfigMapName,
            NamespaceProperty = ns,
            Annotations = new Dictionary<string, string> { [DescriptionAnnotation] = Description },
        },
        Data = new Dictionary<string, string> { [CaKey] = caPem },
    };

    /// <summary><paramref name="existing"/> with exactly the CA as data and the description set; other annotations and labels kept.</summary>
    public static V1ConfigMap Corrected(V1ConfigMap existing, string caPem)
    {
        var annotations = existing.Metadata.Annotations is null
            ? new Dictionary<string, string>()
            : new Dictionary<string, string>(existing.Metadata.Annotations);
        annotations[DescriptionAnnotation] = Description;
        return new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta
            {
                Name = existing.Metadata.Name,
                NamespaceProperty = existing.Metadata.NamespaceProperty,
                ResourceVersion = existing.Metadata.ResourceVersion,
                Uid = existing.Metadata.Uid,
                Labels = existing.Metadata.Labels,
                Annotations = annotations,
                OwnerReferences = existing.Metadata.OwnerReferences,
                Finalizers = existing.Metadata.Finalizers,
            },
            Data = new Dictionary<string, string> { [CaKey] = caPem },
        };
    }
}
