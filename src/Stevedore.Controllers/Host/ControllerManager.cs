using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Stevedore.Client.Events;
using Stevedore.Client.Informers;
using Stevedore.Client.LeaderElection;
using Stevedore.Controllers.NodeLifecycle;

namespace Stevedore.Controllers.Host;

/// <summary>
/// Runs the built-in controllers over one shared informer factory: ReplicaSet, Deployment,
/// ServiceAccount, NodeIpam, Namespace, NodeLifecycle, the garbage collector, Endpoints,
/// EndpointSlice and the service load balancer. <see cref="RunAsync"/> campaigns for the
/// <c>kube-system/kube-controller-manager</c> Lease first, so two servers never both act.
/// </summary>
public sealed partial class ControllerManager
{
    /// <summary>The Lease the controllers run under, as upstream.</summary>
    public const string LeaseName = "kube-controller-manager";

    private readonly IKubernetes _client;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly NodeHealthTracker? _nodeHealth;

    /// <param name="client">The API connection.</param>
    /// <param name="loggerFactory">Logs; none when null.</param>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <param name="nodeHealth">Node health bookkeeping (grace periods); upstream's 40 s / 60 s when null.</param>
    public ControllerManager(IKubernetes client, ILoggerFactory? loggerFactory = null, TimeProvider? time = null, NodeHealthTracker? nodeHealth = null)
    {
        _nodeHealth = nodeHealth;
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _time = time ?? TimeProvider.System;
        _logger = _loggerFactory.CreateLogger<ControllerManager>();
    }

    /// <summary>Campaigns for the Lease and runs the controllers while leading, until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        LeaderElected.RunAsync(_client, LeaseName, RunControllersAsync, _logger, _time, cancellationToken);

    /// <summary>Runs the controllers without leader election (tests, single-process setups).</summary>
    public async Task RunControllersAsync(CancellationToken cancellationToken)
    {
        await using var informers = new SharedInformerFactory(_client, new SharedInformerFactoryOptions { Time = _time, LoggerFactory = _loggerFactory });
        var recorder = new EventRecorder(_client, "deployment-controller", time: _time, logger: _logger);
        var controllers = new IController[]
        {
            new ReplicaSetController(_client, _loggerFactory.CreateLogger<ReplicaSetController>(), _time),
            new DeploymentController(_client, recorder, _loggerFactory.CreateLogger<DeploymentController>(), _time),
            new ServiceAccountController(_client, _loggerFactory.CreateLogger<ServiceAccountController>(), _time),
            new NodeIpamController(_client, _loggerFactory.CreateLogger<NodeIpamController>(), _time),
            new NamespaceController(_client, _loggerFactory.CreateLogger<NamespaceController>(), _time),
            new NodeLifecycleController(_client, _loggerFactory.CreateLogger<NodeLifecycleController>(), _time, _nodeHealth),
            new GarbageCollectorController(_client, _loggerFactory.CreateLogger<GarbageCollectorController>(), _time),
            new EndpointsController(_client, _loggerFactory.CreateLogger<EndpointsController>(), _time),
            new EndpointSliceController(_client, _loggerFactory.CreateLogger<EndpointSliceController>(), _time),
            new ServiceLoadBalancerController(_client, _loggerFactory.CreateLogger<ServiceLoadBalancerController>(), _time),
        };
        try
        {
            foreach (var controller in controllers)
            {
                controller.Register(informers);
            }

            informers.Start(cancellationToken);
            if (!await informers.WaitForCacheSyncAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            LogStarted(string.Join(", ", controllers.Select(c => c.Name)));
            await Task.WhenAll(controllers.Select(c => c.RunAsync(cancellationToken))).ConfigureAwait(false);
        }
        finally
        {
            foreach (var controller in controllers.OfType<IDisposable>())
            {
                controller.Dispose();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Controllers started: {Names}")]
    private partial void LogStarted(string names);
}
