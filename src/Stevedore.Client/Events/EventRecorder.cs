using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Stevedore.Client.Resources;

namespace Stevedore.Client.Events;

/// <summary>
/// Records core/v1 Events about objects. A repeat of the same event (same involved object,
/// type, reason, message and source) does not create a new Event: the existing one gets
/// count+1 and a new lastTimestamp through a merge patch, as upstream's correlator does.
/// The fire-and-forget <see cref="Event"/> also drops events past a per-object burst
/// (<see cref="EventSpamFilter"/>: 25, then one per 5 minutes, as client-go).
/// </summary>
public sealed partial class EventRecorder
{
    /// <summary>Past this many distinct events the aggregation cache starts over (bounded memory).</summary>
    private const int CacheLimit = 4096;

    private readonly IKubernetes _client;
    private readonly V1EventSource _source;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Dictionary<string, Recorded> _recorded = new(StringComparer.Ordinal);
    private readonly EventSpamFilter _spamFilter;

    public EventRecorder(IKubernetes client, string component, string? host = null, TimeProvider? time = null, ILogger? logger = null, EventSpamFilter? spamFilter = null)
    {
        _spamFilter = spamFilter ?? new EventSpamFilter();
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(component);
        _client = client;
        _source = new V1EventSource { Component = component, Host = host };
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Records an event in the background; failures are logged, never thrown (events are best effort).
    /// Past the spam filter's burst for this object the event is dropped.
    /// </summary>
    public void Event(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message)
    {
        var involved = ReferenceTo(obj);
        var key = string.Join('\u0000', _source.Component, _source.Host, involved.ApiVersion, involved.Kind, involved.NamespaceProperty, involved.Name, involved.Uid);
        if (!_spamFilter.Allow(key, _time.GetUtcNow()))
        {
            LogSpamDropped(_logger, reason, involved.NamespaceProperty, involved.Name);
            return;
        }

        _ = RecordInBackgroundAsync(involved, type, reason, message);
    }

    /// <summary>Records an event and returns the Event object as written.</summary>
    public Task<Corev1Event> RecordAsync(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message, CancellationToken cancellationToken = default) =>
        RecordAsync(ReferenceTo(obj), type, reason, message, cancellationToken);

    /// <inheritdoc cref="RecordAsync(IKubernetesObject{V1ObjectMeta}, string, string, string, CancellationToken)"/>
    public async Task<Corev1Event> RecordAsync(V1ObjectReference involved, string type, string reason, string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(involved);
        var ns = string.IsNullOrEmpty(involved.NamespaceProperty) ? "default" : involved.NamespaceProperty;
        var key = string.Join('\u0000', involved.Kind, ns, involved.Name, involved.Uid, involved.FieldPath, type, reason, message, _source.Component, _source.Host);
        var now = _time.GetUtcNow().UtcDateTime;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_recorded.TryGetValue(key, out var previous))
            {
                var count = previous.Count + 1;
                var patch = new JsonObject
                {
                    ["count"] = count,
                    ["lastTimestamp"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                };
                try
                {
                    var patched = await _client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), previous.Name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                    _recorded[key] = previous with { Count = count };
                    return patched;
                }
                catch (HttpOperationException ex) when (ApiErrors.IsNotFound(ex))
                {
                    // The event expired or was deleted: start a new one.
                    _recorded.Remove(key);
                }
            }

            var created = await _client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
            {
                ApiVersion = "v1",
                Kind = "Event",
                Metadata = new V1ObjectMeta
                {
                    Name = $"{involved.Name}.{(_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100:x}",
                    NamespaceProperty = ns,
                },
                InvolvedObject = involved,
                Type = type,
                Reason = reason,
                Message = message,
                Source = _source,
                ReportingComponent = _source.Component,
                ReportingInstance = _source.Host ?? "",
                FirstTimestamp = now,
                LastTimestamp = now,
                Count = 1,
            }, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (_recorded.Count >= CacheLimit)
            {
                _recorded.Clear();
            }

            _recorded[key] = new Recorded(created.Metadata.Name, 1);
            return created;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The reference an Event uses to point at <paramref name="obj"/>.</summary>
    public static V1ObjectReference ReferenceTo(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var type = obj.ApiVersion is null || obj.Kind is null ? Resources.ResourceType.For(obj.GetType()) : null;
        return new V1ObjectReference
        {
            ApiVersion = obj.ApiVersion ?? type!.ApiVersion,
            Kind = obj.Kind ?? type!.Kind,
            Name = obj.Metadata?.Name,
            NamespaceProperty = obj.Metadata?.NamespaceProperty,
            Uid = obj.Metadata?.Uid,
            ResourceVersion = obj.Metadata?.ResourceVersion,
        };
    }

    private async Task RecordInBackgroundAsync(V1ObjectReference involved, string type, string reason, string message)
    {
        try
        {
            await RecordAsync(involved, type, reason, message, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogRecordFailed(_logger, reason, involved.NamespaceProperty, involved.Name, ex);
        }
    }

    private sealed record Recorded(string Name, int Count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dropped event {Reason} for {Namespace}/{Name}: too many events about it")]
    private static partial void LogSpamDropped(ILogger logger, string reason, string? @namespace, string? name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record event {Reason} for {Namespace}/{Name}")]
    private static partial void LogRecordFailed(ILogger logger, string reason, string? @namespace, string? name, Exception exception);
}
