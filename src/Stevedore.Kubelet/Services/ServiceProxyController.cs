using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Informers;
using Stevedore.Network.Proxy;

namespace Stevedore.Kubelet.Services;

/// <summary>
/// Keeps the node's service proxy in step with the cluster: Services and EndpointSlices come from the
/// informers of a <see cref="SharedInformerFactory"/> handed in (so cluster DNS can share the same
/// watches and caches), every change only wakes the loop, and the loop translates the whole cache
/// (<see cref="ProxyModelBuilder"/>) and hands it to the <see cref="ServiceProxy"/>, which batches and
/// applies only what differs. Level-based: whatever happened in between, the latest cache wins.
/// </summary>
public sealed partial class ServiceProxyController
{
    private readonly SharedInformerFactory _informers;
    private readonly SharedInformer<V1Service> _services;
    private readonly SharedInformer<V1EndpointSlice> _slices;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _changed = new(0, 1);
    private string _lastProblems = "";
    private string? _lastError;

    public ServiceProxyController(SharedInformerFactory informers, ServiceProxyOptions options, ILogger<ServiceProxyController> logger)
    {
        _informers = informers;
        _logger = logger;
        Proxy = new ServiceProxy(options, OnSync);
        _services = informers.GetInformer<V1Service>();
        _slices = informers.GetInformer<V1EndpointSlice>();
        _services.AddEventHandler(new ResourceEventHandler<V1Service>(_ => Wake(), (_, _) => Wake(), _ => Wake()));
        _slices.AddEventHandler(new ResourceEventHandler<V1EndpointSlice>(_ => Wake(), (_, _) => Wake(), _ => Wake()));
    }

    public ServiceProxy Proxy { get; }

    /// <summary>
    /// Starts the informers (if the factory has not), waits for their first lists, then keeps the
    /// proxy fed until cancelled. The rules stay when it stops; <see cref="ServiceProxy.CleanupAsync"/> removes them.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _informers.Start(cancellationToken);
        if (!await _informers.WaitForCacheSyncAsync(cancellationToken))
        {
            return;
        }

        // A first sync from complete caches: never a table built from half a list.
        Wake();
        var proxy = Task.Run(() => Proxy.RunAsync(cancellationToken), CancellationToken.None);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await _changed.WaitAsync(cancellationToken);
                Proxy.Update(ProxyModelBuilder.Build(_services.Lister.List(), _slices.Lister.List()));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        await proxy;
    }

    private void Wake()
    {
        if (_changed.CurrentCount == 0)
        {
            try
            {
                _changed.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already awake: the next translation reads the latest cache anyway.
            }
        }
    }

    private void OnSync(ProxySyncReport report)
    {
        if (report.Error is { } error)
        {
            // Retried every second: say it once, and again only when the reason changes.
            if (error.Message != _lastError)
            {
                _lastError = error.Message;
                LogSyncFailed(_logger, error.Message);
            }

            return;
        }

        if (_lastError is not null)
        {
            _lastError = null;
            LogRecovered(_logger);
        }

        var problems = string.Join("; ", report.Problems);
        if (problems != _lastProblems)
        {
            _lastProblems = problems;
            if (problems.Length > 0)
            {
                LogProblems(_logger, problems);
            }
        }

        if (report.Applied is { Changed: true } applied)
        {
            if (applied.RecoveredFrom is { } reason)
            {
                LogReplacedAfterFailedUpdate(_logger, reason);
            }

            LogSynced(_logger, report.ServicePorts, report.Chains, report.Rules, applied.Full ? "full" : "incremental", (report.RenderTime + applied.Duration).TotalMilliseconds);
        }
    }
}
