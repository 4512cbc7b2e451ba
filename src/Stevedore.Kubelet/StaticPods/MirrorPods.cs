using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Resources;
using Stevedore.Kubelet.Pods;

namespace Stevedore.Kubelet.StaticPods;

/// <summary>
/// Reads the manifests folder into the pod source and keeps one mirror pod in the API per static
/// pod: created when missing, replaced when the manifest changed or someone deleted it, removed
/// when the manifest is gone. The static pod itself keeps running throughout.
/// </summary>
internal sealed partial class MirrorPods
{
    private readonly PodSource _source;
    private readonly KubeletOptions _options;
    private readonly ResourceClient<V1Pod> _pods;
    private readonly ResourceClient<V1Node> _nodes;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Dictionary<string, string> _reportedErrors = new(StringComparer.Ordinal);

    public MirrorPods(IKubernetes client, PodSource source, KubeletOptions options, ILogger logger)
    {
        _source = source;
        _options = options;
        _pods = new ResourceClient<V1Pod>(client);
        _nodes = new ResourceClient<V1Node>(client);
        _logger = logger;
        _source.MirrorChanged += _ => Wake();
    }

    /// <summary>Reads the manifests once (before pod workers start, so static pods are never taken for orphans).</summary>
    public void Scan()
    {
        if (_options.ManifestsDir is not { } dir)
        {
            return;
        }

        var (pods, errors) = StaticPodManifests.Read(dir, _options.NodeName);
        foreach (var error in errors)
        {
            if (!_reportedErrors.TryGetValue(error.File, out var known) || known != error.Message)
            {
                _reportedErrors[error.File] = error.Message;
                LogManifestError(_logger, error.File, error.Message);
            }
        }

        _source.SetStaticPods(pods);
    }

    /// <summary>Rescans and reconciles mirror pods every interval, and whenever a mirror pod changes.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Scan();
            try
            {
                await SyncMirrorsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is k8s.Autorest.HttpOperationException or HttpRequestException or IOException)
            {
                LogMirrorFailed(_logger, ex.Message);
            }

            try
            {
                await _wake.WaitAsync(_options.StaticPodScanInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }

    private async Task SyncMirrorsAsync(CancellationToken cancellationToken)
    {
        var statics = _source.StaticPods.ToList();
        string? nodeUid = null;
        foreach (var pod in statics)
        {
            var ns = pod.Metadata.NamespaceProperty;
            var mirror = _source.Mirror(ns, pod.Metadata.Name);
            if (mirror is not null && mirror.Metadata.Annotations[CriLabels.ConfigMirror] == pod.Metadata.Uid && mirror.Metadata.DeletionTimestamp is null)
            {
                continue;
            }

            if (mirror is not null)
            {
                // Stale (the manifest changed) or being deleted by someone: replace it.
                await DeleteMirrorAsync(mirror, cancellationToken).ConfigureAwait(false);
                continue;
            }

            nodeUid ??= (await _nodes.GetAsync(null, _options.NodeName, cancellationToken).ConfigureAwait(false))?.Metadata.Uid;
            try
            {
                await _pods.CreateAsync(StaticPodManifests.Mirror(pod, nodeUid), cancellationToken).ConfigureAwait(false);
                LogMirrorCreated(_logger, ns, pod.Metadata.Name);
            }
            catch (Exception ex) when (ApiErrors.IsAlreadyExists(ex))
            {
                // A regular pod holds the name, or our informer has not seen the mirror yet; try again later.
            }
            catch (Exception ex) when (ApiErrors.IsNotFound(ex) || ApiErrors.StatusOf(ex) is System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.UnprocessableEntity)
            {
                LogMirrorRefused(_logger, ns, pod.Metadata.Name, ex.Message);
            }
        }

        var wanted = statics.ToDictionary(p => p.Metadata.NamespaceProperty + "/" + p.Metadata.Name, p => p.Metadata.Uid, StringComparer.Ordinal);
        foreach (var mirror in _source.Mirrors.ToList())
        {
            var key = mirror.Metadata.NamespaceProperty + "/" + mirror.Metadata.Name;
            if (!wanted.ContainsKey(key))
            {
                await DeleteMirrorAsync(mirror, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task DeleteMirrorAsync(V1Pod mirror, CancellationToken cancellationToken)
    {
        try
        {
            await _pods.DeleteAsync(mirror.Metadata.NamespaceProperty, mirror.Metadata.Name, new V1DeleteOptions
            {
                GracePeriodSeconds = 0,
                Preconditions = new V1Preconditions { Uid = mirror.Metadata.Uid },
            }, cancellationToken).ConfigureAwait(false);
            LogMirrorDeleted(_logger, mirror.Metadata.NamespaceProperty, mirror.Metadata.Name);
        }
        catch (Exception ex) when (ApiErrors.IsConflict(ex))
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Static pod manifest {File} ignored: {Error}")]
    private static partial void LogManifestError(ILogger logger, string file, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mirror pod {Namespace}/{Name} created")]
    private static partial void LogMirrorCreated(ILogger logger, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mirror pod {Namespace}/{Name} deleted")]
    private static partial void LogMirrorDeleted(ILogger logger, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror pod {Namespace}/{Name} refused by the API server: {Error}")]
    private static partial void LogMirrorRefused(ILogger logger, string @namespace, string name, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror pods not reconciled: {Error}")]
    private static partial void LogMirrorFailed(ILogger logger, string error);
}
