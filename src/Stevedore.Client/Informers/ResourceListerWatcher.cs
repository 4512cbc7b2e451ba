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
    private readonly bool _trimManagedFields;

    /// <param name="trimManagedFields">Hand out objects without <c>metadata.managedFields</c> (see
    /// <see cref="SharedInformerFactoryOptions.TrimManagedFields"/>).</param>
    public ResourceListerWatcher(ResourceClient<T> client, string? ns = null, string? labelSelector = null, string? fieldSelector = null, bool trimManagedFields = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _namespace = ns;
        _labelSelector = labelSelector;
        _fieldSelector = fieldSelector;
        _trimManagedFields = trimManagedFields;
    }

    public async Task<ResourceList<T>> ListAsync(ListOptions options, CancellationToken cancellationToken)
    {
        var list = await _client.ListAsync(_namespace, Narrow(options), cancellationToken).ConfigureAwait(false);
        if (_trimManagedFields)
        {
            foreach (var item in list.Items)
            {
                if (item.Metadata is { } meta)
                {
                    meta.ManagedFields = null;
                }
            }
        }

        return list;
    }

    public IAsyncEnumerable<WatchEvent<T>> WatchAsync(ListOptions options, CancellationToken cancellationToken) =>
        _client.WatchAsync(_namespace, Narrow(options), _trimManagedFields, cancellationToken);

    private ListOptions Narrow(ListOptions options) => options with
    {
        LabelSelector = _labelSelector ?? options.LabelSelector,
        FieldSelector = _fieldSelector ?? options.FieldSelector,
    };
}
