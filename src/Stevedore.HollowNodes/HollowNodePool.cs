using System.Collections.Concurrent;
using System.Globalization;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Stevedore.Client.Cache;
using Stevedore.Client.Controllers;
using Stevedore.Client.Events;
using Stevedore.Client.Informers;
using Stevedore.Client.Resources;
using Stevedore.Client.WorkQueues;

namespace Stevedore.HollowNodes;

/// <summary>
/// N hollow nodes in one process: registers them, heartbeats (Leases and node status), and
/// plays kubelet for the pods bound to them without running anything. One pod informer and one
/// node informer serve every node; timers are queue delays, never a loop per node.
/// </summary>
public sealed partial class HollowNodePool
{
    private const string NodeIndex = "node";
    private const string LeaseNamespace = "kube-node-lease";

    private readonly IKubernetes _client;
    private readonly HollowNodeOptions _options;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, OwnedNode> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PodIpAllocator> _allocators = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, V1Lease> _leases = new(StringComparer.Ordinal);
    private readonly ResourceClient<V1Node> _nodeClient;
    private readonly ResourceClient<V1Pod> _podClient;
    private readonly ResourceClient<V1Lease> _leaseClient;
    private readonly EventRecorder _events;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Lister<V1Node>? _nodeLister;
    private Lister<V1Pod>? _podLister;

    /// <summary>A pool of <see cref="HollowNodeOptions.Count"/> nodes talking to the API server behind <paramref name="client"/>.</summary>
    public HollowNodePool(IKubernetes client, HollowNodeOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Count, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Count, NodeAddressing.MaxIndex + 1);
        _client = client;
        _options = options;
        _time = options.Time;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<HollowNodePool>();
        for (var i = 0; i < options.Count; i++)
        {
            _nodes[options.NodeName(i)] = new OwnedNode(i, options.NodeName(i));
        }

        _nodeClient = new ResourceClient<V1Node>(client);
        _podClient = new ResourceClient<V1Pod>(client);
        _leaseClient = new ResourceClient<V1Lease>(client);
        _events = new EventRecorder(client, "kubelet", time: _time, logger: _logger);
    }

    /// <summary>The names of the nodes this pool owns.</summary>
    public IReadOnlyCollection<string> NodeNames => _nodes.Keys;

    /// <summary>Completes once every node is registered, the caches are synced and the workers run.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; then heartbeats stop (the nodes stay registered).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var nodeFactory = new SharedInformerFactory(_client, new SharedInformerFactoryOptions
        {
            LabelSelector = HollowAnnotations.HollowNodeLabel + "=true",
            Time = _time,
            LoggerFactory = _loggerFactory,
        });
        await using var podFactory = new SharedInformerFactory(_client, new SharedInformerFactoryOptions
        {
            // Every bound pod; the handlers keep only those on our nodes, so one watch serves all N nodes.
            FieldSelector = "spec.nodeName!=",
            // Status writes go through pods/status, which keeps the stored managedFields whatever is sent.
            TrimManagedFields = true,
            Time = _time,
            LoggerFactory = _loggerFactory,
        });
        using var podQueue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(_time), _time);
        using var nodeQueue = new RateLimitingQueue<string>(RateLimiters.DefaultController<string>(_time), _time);

        var nodeInformer = nodeFactory.GetInformer<V1Node>();
        _nodeLister = nodeInformer.Lister;
        nodeInformer.AddEventHandler(
            onUpdate: (oldNode, newNode) =>
            {
                if (_nodes.ContainsKey(newNode.Metadata.Name) && oldNode.Spec?.PodCIDR != newNode.Spec?.PodCIDR)
                {
                    EnqueuePodsOf(newNode.Metadata.Name, podQueue);
                }
            },
            onDelete: node =>
            {
                if (_nodes.ContainsKey(node.Metadata.Name))
                {
                    nodeQueue.Add(node.Metadata.Name);   // someone deleted it: register again, as a kubelet would
                }
            });

        var podInformer = podFactory.GetInformer<V1Pod>();
        podInformer.Indexer.AddIndexers(new Dictionary<string, IndexFunc<V1Pod>>
        {
            [NodeIndex] = pod => pod.Spec?.NodeName is { } n ? [n] : [],
        });
        _podLister = podInformer.Lister;
        podInformer.AddEventHandler(
            onAdd: pod => EnqueueIfOwned(pod, podQueue),
            onUpdate: (_, pod) => EnqueueIfOwned(pod, podQueue),
            onDelete: pod =>
            {
                if (pod.Spec?.NodeName is { } node && _allocators.TryGetValue(node, out var allocator) && pod.Metadata.Uid is { } uid)
                {
                    allocator.Release(uid);
                }
            });

        nodeFactory.Start(cancellationToken);
        await RegisterAllAsync(cancellationToken).ConfigureAwait(false);
        await RenewLeasesAsync(cancellationToken).ConfigureAwait(false);
        await nodeFactory.WaitForCacheSyncAsync(cancellationToken).ConfigureAwait(false);
        podFactory.Start(cancellationToken);
        await podFactory.WaitForCacheSyncAsync(cancellationToken).ConfigureAwait(false);
        ReserveExistingPodIps();

        foreach (var name in _nodes.Keys)
        {
            nodeQueue.AddAfter(name, _options.NodeStatusInterval);
        }

        var tasks = new[]
        {
            LeaseLoopAsync(cancellationToken),
            WorkerLoop.RunAsync(nodeQueue, (key, ct) => SyncNodeAsync(key, nodeQueue, ct), Math.Max(1, Math.Min(_options.MaxConcurrentRequests, 8)), _logger, cancellationToken),
            WorkerLoop.RunAsync(podQueue, (key, ct) => SyncPodAsync(key, podQueue, ct), Math.Max(1, _options.PodWorkers), _logger, cancellationToken),
        };
        LogStarted(_logger, _nodes.Count, _options.NamePrefix);
        _ready.TrySetResult();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void EnqueueIfOwned(V1Pod pod, RateLimitingQueue<string> queue)
    {
        if (pod.Spec?.NodeName is { } node && _nodes.ContainsKey(node))
        {
            queue.Add(ObjectKeys.For(pod));
        }
    }

    private void EnqueuePodsOf(string nodeName, RateLimitingQueue<string> queue)
    {
        if (_podLister is null)
        {
            return;
        }

        foreach (var key in _podLister.Indexer.IndexKeys(NodeIndex, nodeName))
        {
            queue.Add(key);
        }
    }

    private sealed class OwnedNode(int index, string name)
    {
        public int Index { get; } = index;

        public string Name { get; } = name;

        public string? Uid { get; set; }

        public DateTimeOffset RegisteredAt { get; set; }

        public DateTimeOffset LastStatusWrite { get; set; }
    }

    private DateTime UtcNow() => _time.GetUtcNow().UtcDateTime;

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool IsNormalFailure(Exception ex) => ex is HttpOperationException or HttpRequestException;
}
