using k8s;
using k8s.Models;
using Stevedore.Client.Resources;

namespace Stevedore.Client.Informers;

/// <summary>
/// Lists and watches one resource through a <see cref="ResourceClient{T}"/>, optionally limited
/// to a namespace and to label / field selectors (for example <c>spec.nodeName=node-1</c>).
/// </summary>
public sealed class ResourceListerWatcher<T> : IListerWatcher<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ResourceClient<T> _client;
    private readonly string? _namespace;
    private readonly string? _labelSelector;
    private readonly string? _fieldSelector;

    public ResourceListerWatcher(ResourceClient<T> client, string? ns = null, string? labelSelector = null, string? fieldSelector = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _namespace = ns;
        _labelSelector = labelSelector;
        _fieldSelector = fieldSelector;
    }

    public Task<ResourceList<T>> ListAsync(ListOptions options, CancellationToken cancellationToken) =>
        _client.ListAsync(_namespace, Narrow(options), cancellationToken);

    public IAsyncEnumerable<WatchEvent<T>> WatchAsync(ListOptions options, CancellationToken cancellationToken) =>
        _client.WatchAsync(_namespace, Narrow(options), cancellationToken);

    private ListOptions Narrow(ListOptions options) => options with
    {
        LabelSelector = _labelSelector ?? options.LabelSelector,
        FieldSelector = _fieldSelector ?? options.FieldSelector,
    };
}
