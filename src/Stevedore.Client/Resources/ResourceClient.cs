using System.Net;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Stevedore.Client.Resources;

/// <summary>
/// Create, read, update, delete, list and watch one resource type, for any model class
/// (<c>k8s.Models.V1Pod</c>, <see cref="Unstructured"/>, a user's CRD class). The REST path comes
/// from <see cref="ResourceType"/>, so the same code serves every kind without per-kind switches.
/// </summary>
/// <remarks>
/// Namespaced calls take the namespace explicitly; pass null for cluster-scoped resources and for
/// lists and watches across all namespaces. Requests go through the official client's HTTP stack
/// (authentication, TLS, retries of its handlers).
/// </remarks>
public sealed class ResourceClient<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IKubernetes _client;

    /// <summary>A client for the kind named by <typeparamref name="T"/>'s [KubernetesEntity] attribute.</summary>
    public ResourceClient(IKubernetes client)
        : this(client, ResourceType.For<T>())
    {
    }

    /// <summary>A client for an explicit resource type (needed for <see cref="Unstructured"/>).</summary>
    public ResourceClient(IKubernetes client, ResourceType type)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(type);
        _client = client;
        Type = type;
    }

    public ResourceType Type { get; }

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<T?> GetAsync(string? ns, string name, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = ns is null
                ? await _client.CustomObjects.GetClusterCustomObjectWithHttpMessagesAsync<T>(Type.Group, Type.Version, Type.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await _client.CustomObjects.GetNamespacedCustomObjectWithHttpMessagesAsync<T>(Type.Group, Type.Version, ns, Type.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Body;
        }
        catch (HttpOperationException ex) when (ApiErrors.IsNotFound(ex))
        {
            return null;
        }
    }

    /// <summary>One list call (one page when <see cref="ListOptions.Limit"/> is set).</summary>
    public async Task<ResourceList<T>> ListAsync(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        using var response = ns is null
            ? await _client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<KubernetesList<T>>(
                Type.Group, Type.Version, Type.Plural, continueParameter: options.Continue, fieldSelector: options.FieldSelector,
                labelSelector: options.LabelSelector, limit: options.Limit, resourceVersion: options.ResourceVersion,
                resourceVersionMatch: options.ResourceVersionMatch, timeoutSeconds: options.TimeoutSeconds,
                cancellationToken: cancellationToken).ConfigureAwait(false)
            : await _client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync<KubernetesList<T>>(
                Type.Group, Type.Version, ns, Type.Plural, continueParameter: options.Continue, fieldSelector: options.FieldSelector,
                labelSelector: options.LabelSelector, limit: options.Limit, resourceVersion: options.ResourceVersion,
                resourceVersionMatch: options.ResourceVersionMatch, timeoutSeconds: options.TimeoutSeconds,
                cancellationToken: cancellationToken).ConfigureAwait(false);
        var body = response.Body;
        var next = body.Metadata?.ContinueProperty;
        return new ResourceList<T>(body.Items?.ToArray() ?? [], body.Metadata?.ResourceVersion ?? "", string.IsNullOrEmpty(next) ? null : next);
    }

    /// <summary>Every page of a list, followed through continue tokens.</summary>
    public async Task<ResourceList<T>> ListAllAsync(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        var page = await ListAsync(ns, options, cancellationToken).ConfigureAwait(false);
        if (page.Continue is null)
        {
            return page;
        }

        var items = new List<T>(page.Items);
        while (page.Continue is not null)
        {
            page = await ListAsync(ns, options with { Continue = page.Continue, ResourceVersion = null, ResourceVersionMatch = null }, cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items);
        }

        return new ResourceList<T>(items, page.ResourceVersion, null);
    }

    /// <summary>Creates <paramref name="obj"/> in its metadata.namespace (or cluster-wide when it has none).</summary>
    public async Task<T> CreateAsync(T obj, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obj);
        Stamp(obj);
        var ns = obj.Metadata?.NamespaceProperty;
        using var response = ns is null
            ? await _client.CustomObjects.CreateClusterCustomObjectWithHttpMessagesAsync<T>(obj, Type.Group, Type.Version, Type.Plural, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await _client.CustomObjects.CreateNamespacedCustomObjectWithHttpMessagesAsync<T>(obj, Type.Group, Type.Version, ns, Type.Plural, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>
    /// Replaces the object (PUT). Its metadata.resourceVersion makes this a compare-and-swap:
    /// a stale version fails with 409 Conflict (see <see cref="ApiErrors.IsConflict"/>).
    /// </summary>
    public async Task<T> ReplaceAsync(T obj, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obj);
        Stamp(obj);
        var (ns, name) = NameOf(obj);
        using var response = ns is null
            ? await _client.CustomObjects.ReplaceClusterCustomObjectWithHttpMessagesAsync<T>(obj, Type.Group, Type.Version, Type.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await _client.CustomObjects.ReplaceNamespacedCustomObjectWithHttpMessagesAsync<T>(obj, Type.Group, Type.Version, ns, Type.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>Replaces the status subresource (PUT .../status).</summary>
    public async Task<T> ReplaceStatusAsync(T obj, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obj);
        Stamp(obj);
        var (ns, name) = NameOf(obj);
        using var response = ns is null
            ? await _client.CustomObjects.ReplaceClusterCustomObjectStatusWithHttpMessagesAsync<T>(obj, Type.Group, Type.Version, Type.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await _client.CustomObjects.ReplaceNamespacedCustomObjectStatusWithHttpMessagesAsync<T>(obj, Type.Group, Type.Version, ns, Type.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>Patches the object; the patch type (JSON, merge, strategic merge, apply) comes from <paramref name="patch"/>.</summary>
    public async Task<T> PatchAsync(string? ns, string name, V1Patch patch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patch);
        using var response = ns is null
            ? await _client.CustomObjects.PatchClusterCustomObjectWithHttpMessagesAsync<T>(patch, Type.Group, Type.Version, Type.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await _client.CustomObjects.PatchNamespacedCustomObjectWithHttpMessagesAsync<T>(patch, Type.Group, Type.Version, ns, Type.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>Patches the status subresource.</summary>
    public async Task<T> PatchStatusAsync(string? ns, string name, V1Patch patch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patch);
        using var response = ns is null
            ? await _client.CustomObjects.PatchClusterCustomObjectStatusWithHttpMessagesAsync<T>(patch, Type.Group, Type.Version, Type.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await _client.CustomObjects.PatchNamespacedCustomObjectStatusWithHttpMessagesAsync<T>(patch, Type.Group, Type.Version, ns, Type.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>Deletes the object; false when it was already gone.</summary>
    public async Task<bool> DeleteAsync(string? ns, string name, V1DeleteOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = ns is null
                ? await _client.CustomObjects.DeleteClusterCustomObjectWithHttpMessagesAsync(Type.Group, Type.Version, Type.Plural, name, options, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await _client.CustomObjects.DeleteNamespacedCustomObjectWithHttpMessagesAsync(Type.Group, Type.Version, ns, Type.Plural, name, options, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException ex) when (ApiErrors.IsNotFound(ex))
        {
            return false;
        }
    }

    /// <summary>
    /// Watches from <see cref="ListOptions.ResourceVersion"/>. The stream ends when the server
    /// closes it; ERROR events (for example 410 Expired) are yielded, not thrown. A 410 status on
    /// the request itself raises <see cref="ResourceExpiredException"/>.
    /// </summary>
    public IAsyncEnumerable<WatchEvent<T>> WatchAsync(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default) =>
        WatchAsync(ns, options, trimManagedFields: false, cancellationToken);

    /// <inheritdoc cref="WatchAsync(string?, ListOptions?, CancellationToken)"/>
    /// <param name="trimManagedFields">Decode the objects without <c>metadata.managedFields</c> (left null), as
    /// informers that never read them do (upstream's scheduler and controller manager trim them).</param>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(string? ns, ListOptions? options, bool trimManagedFields, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        // Watches read the stream directly (one pass per event, ERROR events as values),
        // over the official client's HttpClient and credentials.
        var kubernetes = _client as Kubernetes
            ?? throw new NotSupportedException("Watches need a k8s.Kubernetes client (see ClusterConnection).");
        using var response = await OpenWatchAsync(kubernetes, ns, options, cancellationToken).ConfigureAwait(false);
        using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var e in WatchStreamReader.ReadAsync<T>(stream, trimManagedFields, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    /// <summary>The REST path of the collection: /api/v1[/namespaces/ns]/plural or /apis/group/version[...].</summary>
    internal string CollectionPath(string? ns)
    {
        var prefix = Type.Group.Length == 0 ? "api/" + Type.Version : $"apis/{Type.Group}/{Type.Version}";
        return ns is null ? $"{prefix}/{Type.Plural}" : $"{prefix}/namespaces/{Uri.EscapeDataString(ns)}/{Type.Plural}";
    }

    private async Task<HttpResponseMessage> OpenWatchAsync(Kubernetes kubernetes, string? ns, ListOptions options, CancellationToken cancellationToken)
    {
        var query = new StringBuilder("?watch=true");
        Append(query, "resourceVersion", options.ResourceVersion);
        Append(query, "labelSelector", options.LabelSelector);
        Append(query, "fieldSelector", options.FieldSelector);
        Append(query, "timeoutSeconds", options.TimeoutSeconds?.ToString(CultureInfo.InvariantCulture));
        if (options.AllowWatchBookmarks)
        {
            query.Append("&allowWatchBookmarks=true");
        }

        var uri = new Uri(kubernetes.BaseUri.ToString().TrimEnd('/') + "/" + CollectionPath(ns) + query);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (kubernetes.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var response = await kubernetes.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Gone)
            {
                throw new ResourceExpiredException($"watch of {Type} from resourceVersion {options.ResourceVersion}: {body}");
            }

            throw new HttpOperationException($"watch of {Type} failed with {(int)response.StatusCode}: {body}")
            {
                Response = new HttpResponseMessageWrapper(response, body),
            };
        }
    }

    private static void Append(StringBuilder query, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            query.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
    }

    /// <summary>Objects built in code often lack apiVersion/kind; the server requires them.</summary>
    private void Stamp(T obj)
    {
        if (string.IsNullOrEmpty(obj.ApiVersion))
        {
            obj.ApiVersion = Type.ApiVersion;
        }

        if (string.IsNullOrEmpty(obj.Kind))
        {
            obj.Kind = Type.Kind;
        }
    }

    private static (string? Namespace, string Name) NameOf(T obj)
    {
        var meta = obj.Metadata ?? throw new ArgumentException("object has no metadata", nameof(obj));
        return (meta.NamespaceProperty, meta.Name ?? throw new ArgumentException("object has no metadata.name", nameof(obj)));
    }
}
