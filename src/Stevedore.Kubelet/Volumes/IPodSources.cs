using k8s.Models;

namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// The API reads and writes volumes and environments need, narrowed so the agent can answer them
/// from informer caches where it has them. "Not found" is null; any other failure throws.
/// </summary>
public interface IPodSources
{
    Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken cancellationToken);

    Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken);

    /// <summary><c>POST namespaces/NS/serviceaccounts/NAME/token</c>; the answer carries status.token and status.expirationTimestamp.</summary>
    Task<Authenticationv1TokenRequest> RequestTokenAsync(string ns, string serviceAccount, Authenticationv1TokenRequest request, CancellationToken cancellationToken);

    /// <summary>The node (for its allocatable resources), or null when it is not registered.</summary>
    Task<V1Node?> GetNodeAsync(string name, CancellationToken cancellationToken);

    /// <summary>The Services of a namespace, for the <c>NAME_SERVICE_HOST</c> style variables.</summary>
    Task<IReadOnlyList<V1Service>> ListServicesAsync(string ns, CancellationToken cancellationToken);
}
