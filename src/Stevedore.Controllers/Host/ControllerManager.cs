using System.Security.Cryptography.X509Certificates;
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
/// EndpointSlice, the service load balancer, (given the CA) the root CA publisher and (given the CA's key) the
/// certificate signing request approver and signer. <see cref="RunAsync"/> campaigns for the
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
    private readonly string? _rootCaPem;
    private readonly X509Certificate2? _signingCa;
    private readonly SharedInformerFactory? _sharedInformers;
    private readonly string _clusterCidr;

    /// <param name="client">The API connection.</param>
    /// <param name="loggerFactory">Logs; none when null.</param>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <param name="nodeHealth">Node health bookkeeping (grace periods); upstream's 40 s / 60 s when null.</param>
    /// <param name="rootCaPem">The cluster CA to publish as <c>kube-root-ca.crt</c> in every namespace; no publisher when null.</param>
    /// <param name="signingCa">The cluster CA with its private key: runs the certificate signing request signer (and the
    /// approver of node client certificates); neither runs when null. Not disposed here.</param>
    /// <param name="informers">
    /// A factory shared with other components of the process (the scheduler), which the controllers
    /// start but never stop; null for informers of their own per leadership term.
    /// </param>
    /// <param name="clusterCidr">The range node pod CIDRs are carved from; <see cref="NodeIpam.CidrAllocator.DefaultClusterCidr"/> when null.</param>
    public ControllerManager(IKubernetes client, ILoggerFactory? loggerFactory = null, TimeProvider? time = null, NodeHealthTracker? nodeHealth = null, string? rootCaPem = null,
        X509Certificate2? signingCa = null, SharedInformerFactory? informers = null, string? clusterCidr = null)
    {
        _signingCa = signingCa;
        _sharedInformers = informers;
        _clusterCidr = clusterCidr ?? NodeIpam.CidrAllocator.DefaultClusterCidr;
        _nodeHealth = nodeHealth;
        _rootCaPem = rootCaPem;
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
        await using var ownInformers = _sharedInformers is null
            ? new SharedInformerFactory(_client, new SharedInformerFactoryOptions { Time = _time, LoggerFactory = _loggerFactory, TrimManagedFields = true })
            : null;
        var informers = _sharedInformers ?? ownInformers!;
        var recorder = new EventRecorder(_client, "deployment-controller", time: _time, logger: _logger);
        var controllers = new List<IController>
        {
            new ReplicaSetController(_client, _loggerFactory.CreateLogger<ReplicaSetController>(), _time,
                recorder: new EventRecorder(_client, "replicaset-controller", time: _time, logger: _logger)),
            new DeploymentController(_client, recorder, _loggerFactory.CreateLogger<DeploymentController>(), _time),
            new ServiceAccountController(_client, _loggerFactory.CreateLogger<ServiceAccountController>(), _time),
            new NodeIpamController(_client, _loggerFactory.CreateLogger<NodeIpamController>(), _time, _clusterCidr),
            new NamespaceController(_client, _loggerFactory.CreateLogger<NamespaceController>(), _time),
            new NodeLifecycleController(_client, _loggerFactory.CreateLogger<NodeLifecycleController>(), _time, _nodeHealth),
            new GarbageCollectorController(_client, _loggerFactory.CreateLogger<GarbageCollectorController>(), _time),
            new EndpointsController(_client, _loggerFactory.CreateLogger<EndpointsController>(), _time),
            new EndpointSliceController(_client, _loggerFactory.CreateLogger<EndpointSliceController>(), _time),
            new ServiceLoadBalancerController(_client, _loggerFactory.CreateLogger<ServiceLoadBalancerController>(), _time),
        };
        if (_rootCaPem is not null)
        {
            controllers.Add(new RootCaPublisherController(_client, _rootCaPem, _loggerFactory.CreateLogger<RootCaPublisherController>(), _time));
        }

        if (_signingCa is not null)
        {
            controllers.Add(new CsrApprovingController(_client, _loggerFactory.CreateLogger<CsrApprovingController>(), _time));
            controllers.Add(new CsrSigningController(_client, _signingCa, _loggerFactory.CreateLogger<CsrSigningController>(), _time));
        }

        try
        {
            foreach (var controller in controllers)
            {
                controller.Register(informers);
            }

            // Shared informers outlive this term (the controllers' handlers do not); our own stop with it.
            informers.Start(_sharedInformers is null ? cancellationToken : CancellationToken.None);
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
