using Grpc.Core;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Events;
using Stevedore.Client.Informers;
using Stevedore.Kubelet.Cri;
using Stevedore.Kubelet.Logs;
using Stevedore.Kubelet.Node;
using Stevedore.Kubelet.Pods;
using Stevedore.Kubelet.Probes;
using Stevedore.Kubelet.StaticPods;

namespace Stevedore.Kubelet;

/// <summary>
/// The node agent: registers and heartbeats its Node, watches the pods bound to it, runs them
/// through CRI with one worker per pod, relists the runtime every second to learn what actually
/// runs, runs static pods from the manifests folder with mirror pods in the API, and on start
/// adopts whatever a previous agent left running (nothing restarts).
/// </summary>
public sealed partial class Kubelet
{
    private readonly IKubernetes _client;
    private readonly CriConnection _cri;
    private readonly KubeletOptions _options;
    private readonly KubeletDependencies _dependencies;
    private readonly ILogger _logger;
    private readonly PodSource _source = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Kubelet(IKubernetes client, CriConnection cri, KubeletOptions options, KubeletDependencies dependencies)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(cri);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dependencies);
        ArgumentException.ThrowIfNullOrEmpty(options.NodeName);
        _client = client;
        _cri = cri;
        _options = options;
        _dependencies = dependencies;
        _logger = options.LoggerFactory.CreateLogger<Kubelet>();
        Node = new NodeAgent(client, cri, options);
    }

    /// <summary>The node half (registration, lease, status).</summary>
    public NodeAgent Node { get; }

    /// <summary>Completes once the node is registered, the pod cache is synced and pod workers run.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Runs until cancelled. Pods keep running when the agent stops; the next agent adopts them.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(_options.DataDir, "pods"));
        await Node.WaitForRuntimeAsync(cancellationToken).ConfigureAwait(false);
        using var nodeStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var nodeLoop = Task.Run(() => Node.RunAsync(nodeStop.Token), CancellationToken.None);
        await Node.Registered.WaitAsync(cancellationToken).ConfigureAwait(false);

        var events = new PodEvents(new EventRecorder(_client, "kubelet", _options.NodeName, _options.Time, _logger), _logger);
        var inspector = new RuntimeInspector(_cri);
        var startups = new PodStartupTracker(_options.Time, _options.LoggerFactory.CreateLogger<PodStartupTracker>());
        var syncer = new PodSyncer(_cri, inspector, _source, _options, _dependencies, _client, events, startups, _options.LoggerFactory.CreateLogger<PodSyncer>())
        {
            RuntimeName = Node.RuntimeName,
            NodeIp = Node.NodeIp,
        };
        var mirrors = new MirrorPods(_client, _source, _options, _options.LoggerFactory.CreateLogger<MirrorPods>());
        var logs = new ContainerLogManager(_cri, _options.ContainerLogs, _options.Time, _options.LoggerFactory.CreateLogger<ContainerLogManager>());
        var pleg = new Pleg(_cri, _options.LoggerFactory.CreateLogger<Pleg>());
        await using var workers = new PodWorkers(syncer.SyncAsync, _options.Time, _options.LoggerFactory.CreateLogger<PodWorkers>());

        await using var factory = new SharedInformerFactory(_client, new SharedInformerFactoryOptions
        {
            FieldSelector = "spec.nodeName=" + _options.NodeName,
            Time = _options.Time,
            LoggerFactory = _options.LoggerFactory,
        });
        var informer = factory.GetInformer<V1Pod>();
        informer.AddEventHandler(
            onAdd: pod =>
            {
                startups.Seen(pod);
                _source.UpsertApiPod(pod);
            },
            onUpdate: (_, pod) => _source.UpsertApiPod(pod),
            onDelete: _source.RemoveApiPod);
        factory.Start(cancellationToken);
        await factory.WaitForCacheSyncAsync(cancellationToken).ConfigureAwait(false);
        // Handlers run on their own task; fill the source from the synced cache so that no pod of
        // ours is mistaken for an orphan by the first syncs.
        foreach (var pod in informer.Lister.List())
        {
            _source.UpsertApiPod(pod);
        }

        mirrors.Scan();
        _source.Changed += workers.Enqueue;
        void OnProbe(ProbeEvent probe) => HandleProbe(probe, syncer, events, workers);
        _dependencies.Probes.ProbeChanged += OnProbe;
        try
        {
            foreach (var uid in _source.Uids)
            {
                workers.Enqueue(uid);
            }

            await RelistAsync(pleg, workers, cancellationToken).ConfigureAwait(false);
            LogStarted(_logger, _options.NodeName, _source.Uids.Count());
            _ready.TrySetResult();
            await Task.WhenAll(
                PlegLoopAsync(pleg, workers, cancellationToken),
                ResyncLoopAsync(pleg, workers, cancellationToken),
                mirrors.RunAsync(cancellationToken),
                logs.RunAsync(cancellationToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _dependencies.Probes.ProbeChanged -= OnProbe;
            _source.Changed -= workers.Enqueue;
            await nodeStop.CancelAsync().ConfigureAwait(false);
            try
            {
                await nodeLoop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private void HandleProbe(ProbeEvent probe, PodSyncer syncer, PodEvents events, PodWorkers workers)
    {
        var pod = _source.Get(probe.PodUid);
        if (!probe.Healthy && pod is not null)
        {
            // A probe manager with an event sink has recorded each failed attempt already (readiness failures
            // included, which never cross a threshold from their initial not-ready state).
            if (!probe.AttemptsRecorded)
            {
                events.Container(pod, probe.ContainerName, EventTypes.Warning, PodEvents.Unhealthy, probe.Message);
            }

            if (probe.Kind is ProbeKind.Liveness or ProbeKind.Startup)
            {
                var kind = probe.Kind == ProbeKind.Liveness ? "liveness" : "startup";
                syncer.OnProbeFailed(probe.PodUid, probe.ContainerId, $"Container {probe.ContainerName} failed {kind} probe, will be restarted");
            }
        }

        workers.Enqueue(probe.PodUid);
    }

    private async Task PlegLoopAsync(Pleg pleg, PodWorkers workers, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.RelistInterval, _options.Time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            await RelistAsync(pleg, workers, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RelistAsync(Pleg pleg, PodWorkers workers, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var uid in await pleg.RelistAsync(cancellationToken).ConfigureAwait(false))
            {
                workers.Enqueue(uid);
            }
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            LogRelistFailed(_logger, ex.Status.Detail);
        }
    }

    /// <summary>Every pod the agent knows of, desired or found in the runtime, is synced again each interval.</summary>
    private async Task ResyncLoopAsync(Pleg pleg, PodWorkers workers, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.ResyncInterval, _options.Time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var uid in _source.Uids.Concat(pleg.KnownPods).Concat(workers.Pods).Distinct(StringComparer.Ordinal).ToList())
            {
                workers.Enqueue(uid);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node agent for {Node} running with {Pods} pod(s)")]
    private static partial void LogStarted(ILogger logger, string node, int pods);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Runtime relist failed: {Error}")]
    private static partial void LogRelistFailed(ILogger logger, string error);
}
