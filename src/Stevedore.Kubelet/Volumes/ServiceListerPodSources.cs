using k8s.Models;
using Stevedore.Client.Informers;

namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// <see cref="IPodSources"/> whose Services come from a shared Service informer's cache, as upstream's
/// kubelet builds Service variables from its service lister: a container start costs no LIST of the
/// namespace's and <c>default</c>'s Services. Until the informer has synced (agent start) the inner
/// sources answer, so no container starts with Service variables missing. Everything else is the inner's.
/// </summary>
public sealed class ServiceListerPodSources(IPodSources inner, SharedInformer<V1Service> services) : IPodSources
{
    public Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken cancellationToken) =>
        inner.GetConfigMapAsync(ns, name, cancellationToken);

    public Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken) =>
        inner.GetSecretAsync(ns, name, cancellationToken);

    public Task<Authenticationv1TokenRequest> RequestTokenAsync(string ns, string serviceAccount, Authenticationv1TokenRequest request, CancellationToken cancellationToken) =>
        inner.RequestTokenAsync(ns, serviceAccount, request, cancellationToken);

    public Task<V1Node?> GetNodeAsync(string name, CancellationToken cancellationToken) =>
        inner.GetNodeAsync(name, cancellationToken);

    public Task<IReadOnlyList<V1Service>> ListServicesAsync(string ns, CancellationToken cancellationToken) =>
        services.HasSynced ? Task.FromResult(services.Lister.List(ns, null)) : inner.ListServicesAsync(ns, cancellationToken);
}
