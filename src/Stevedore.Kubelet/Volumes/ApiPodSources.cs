using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Stevedore.Kubelet.Volumes;

/// <summary><see cref="IPodSources"/> answered by the API server through the official client, one request per call.</summary>
public sealed class ApiPodSources(IKubernetes client) : IPodSources
{
    public Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken cancellationToken) =>
        OrNullAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellationToken));

    public Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken) =>
        OrNullAsync(() => client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken));

    public Task<Authenticationv1TokenRequest> RequestTokenAsync(string ns, string serviceAccount, Authenticationv1TokenRequest request, CancellationToken cancellationToken) =>
        client.CoreV1.CreateNamespacedServiceAccountTokenAsync(request, serviceAccount, ns, cancellationToken: cancellationToken);

    public Task<V1Node?> GetNodeAsync(string name, CancellationToken cancellationToken) =>
        OrNullAsync(() => client.CoreV1.ReadNodeAsync(name, cancellationToken: cancellationToken));

    public async Task<IReadOnlyList<V1Service>> ListServicesAsync(string ns, CancellationToken cancellationToken) =>
        [.. (await client.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: cancellationToken).ConfigureAwait(false)).Items];

    private static async Task<T?> OrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
