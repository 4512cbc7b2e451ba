using k8s.Models;
using Stevedore.Client.Cache;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.Host;

/// <summary>Which Services a pod change concerns, from the Service cache (upstream's GetServicesToUpdateOnPodChange).</summary>
internal static class ServiceMembership
{
    /// <summary>Keys of the Services in the pod's namespace whose selector matches it.</summary>
    public static IEnumerable<string> Of(Lister<V1Service> services, V1Pod pod) =>
        services.List(pod.Metadata.NamespaceProperty, null)
            .Where(s => EndpointRules.Selects(s, pod))
            .Select(s => ObjectKeys.For(s));

    /// <summary>
    /// On an update: nothing when no field endpoints depend on changed; otherwise every Service
    /// that selected the pod before or selects it now.
    /// </summary>
    public static IEnumerable<string> OfChange(Lister<V1Service> services, V1Pod before, V1Pod after) =>
        EndpointRules.Fingerprint(before) == EndpointRules.Fingerprint(after)
            ? []
            : Of(services, before).Union(Of(services, after), StringComparer.Ordinal);
}
