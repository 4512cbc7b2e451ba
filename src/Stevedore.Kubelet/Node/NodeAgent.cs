using Grpc.Core;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Informers;
using Stevedore.Client.Resources;
using Stevedore.Cri.V1;
using Stevedore.Kubelet.Cri;

namespace Stevedore.Kubelet.Node;

/// <summary>
/// The node side of the agent: registers the Node, renews its Lease in kube-node-lease, reports
/// node status (conditions, capacity, images) and hands the node's pod CIDR to the runtime.
/// A deleted Node is registered again.
/// </summary>
public sealed partial class NodeAgent
{
    public const string LeaseNamespace = "kube-node-lease";

    private readonly IKubernetes _client;
    private readonly CriConnection _cri;
    private readonly KubeletOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ResourceClient<V1Node> _nodes;
    private readonly ResourceClient<V1Lease> _leases;
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _statusLock = new(1, 1);
    private V1Lease? _lease;
    private string? _nodeUid;
    private string? _appliedPodCidr;
    private DateTimeOffset _lastStatusWrite;
    private bool _runtimeConfigUnsupported;

    public NodeAgent(IKubernetes client, CriConnection cri, KubeletOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(cri);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _cri = cri;
        _options = options;
        _time = options.Time;
        _logger = options.LoggerFactory.CreateLogger<NodeAgent>();
        _nodes = new ResourceClient<V1Node>(client);
        _leases = new ResourceClient<V1Lease>(client);
        NodeIp = options.NodeIp ?? MachineInfo.DetectNodeIp();
    }

    /// <summary>The node's InternalIP.</summary>
    public string NodeIp { get; }

    /// <summary>The runtime's name from CRI Version (the scheme of container IDs).</summary>
    public string RuntimeName { get; private set; } = "cri";

    /// <summary>Completes once the Node exists in the API.</summary>
    public Task Registered => _registered.Task;

    /// <summary>Waits until the runtime answers CRI Version; logs while it does not.</summary>
    public async Task WaitForRuntimeAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                var version = await _cri.Runtime.VersionAsync(new VersionRequest { Version = "v1" }, cancellationToken: cancellationToken).ConfigureAwait(false);
                RuntimeName = version.RuntimeName;
                LogRuntime(_logger, version.RuntimeName, version.RuntimeVersion, _cri.SocketPath);
                return;
            }
            catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
            {
                LogWaitingForRuntime(_logger, _cri.SocketPath, ex.Status.Detail);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    /// <summary>Registers the node, then heartbeats until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await RegisterUntilDoneAsync(cancellationToken).ConfigureAwait(false);
        await using var factory = new SharedInformerFactory(_client, new SharedInformerFactoryOptions
        {
            FieldSelector = "metadata.name=" + _options.NodeName,
            Time = _time,
            LoggerFactory = _options.LoggerFactory,
        });
        var informer = factory.GetInformer<V1Node>();
        informer.AddEventHandler(
            onAdd: node => ApplyPodCidrInBackground(node, cancellationToken),
            onUpdate: (_, node) => ApplyPodCidrInBackground(node, cancellationToken),
            onDelete: _ => Task.Run(() => ReRegisterAsync(cancellationToken), CancellationToken.None));
        factory.Start(cancellationToken);
        try
        {
            await Task.WhenAll(LeaseLoopAsync(cancellationToken), StatusLoopAsync(cancellationToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RegisterUntilDoneAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await RegisterAsync(cancellationToken).ConfigureAwait(false);
                _registered.TrySetResult();
                return;
            }
            catch (Exception ex) when (IsTransient(ex, cancellationToken))
            {
                LogRegisterFailed(_logger, _options.NodeName, ex.Message);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(7).Ticks));
            }
        }
    }

    /// <summary>Creates the Node, or brings an existing one's labels up to date; then writes its status.</summary>
    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var machine = MachineInfo.Read(_options.DataDir);
        var runtime = await RuntimeReportAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow().UtcDateTime;
        V1Node stored;
        try
        {
            stored = await _nodes.CreateAsync(NodeStatusBuilder.Build(_options, machine, runtime, NodeIp, now), cancellationToken).ConfigureAwait(false);
            LogRegistered(_logger, _options.NodeName, NodeIp);
        }
        catch (Exception ex) when (ApiErrors.IsAlreadyExists(ex))
        {
            var existing = await _nodes.GetAsync(null, _options.NodeName, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"node {_options.NodeName} vanished during registration");
            existing.Metadata.Labels ??= new Dictionary<string, string>();
            foreach (var (key, value) in NodeStatusBuilder.Labels(_options, machine))
            {
                existing.Metadata.Labels[key] = value;
            }

            stored = await _nodes.ReplaceAsync(existing, cancellationToken).ConfigureAwait(false);
            LogReRegistered(_logger, _options.NodeName);
        }

        _nodeUid = stored.Metadata.Uid;
        _lease = null;
        await WriteStatusAsync(stored, force: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReRegisterAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RegisterUntilDoneAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task StatusLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.NodeStatusUpdateInterval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var node = await _nodes.GetAsync(null, _options.NodeName, cancellationToken).ConfigureAwait(false);
                if (node is null)
                {
                    await RegisterUntilDoneAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await WriteStatusAsync(node, force: false, cancellationToken).ConfigureAwait(false);
                await ApplyPodCidrAsync(node, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransient(ex, cancellationToken))
            {
                LogStatusFailed(_logger, _options.NodeName, ex.Message);
            }
        }
    }

    /// <summary>Writes the node status when it changed (or the report interval is up), as a merge patch of the whole status.</summary>
    private async Task WriteStatusAsync(V1Node node, bool force, CancellationToken cancellationToken)
    {
        await _statusLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var machine = MachineInfo.Read(_options.DataDir);
            var runtime = await RuntimeReportAsync(cancellationToken).ConfigureAwait(false);
            var status = NodeStatusBuilder.Status(_options, machine, runtime, NodeIp, _time.GetUtcNow().UtcDateTime, node.Status);
            var due = _time.GetUtcNow() - _lastStatusWrite >= _options.NodeStatusReportInterval;
            if (!force && !due && !NodeStatusBuilder.DiffersIgnoringHeartbeats(node.Status, status))
            {
                return;
            }

            // The kubelet is the only writer of its node's status: a merge patch needs no resourceVersion.
            // Lists are replaced whole by a merge patch, so stale images or addresses do not linger.
            await _nodes.PatchStatusAsync(null, _options.NodeName, new V1Patch(new V1Node { Status = status }, V1Patch.PatchType.MergePatch), cancellationToken).ConfigureAwait(false);
            _lastStatusWrite = _time.GetUtcNow();
        }
        finally
        {
            _statusLock.Release();
        }
    }

    /// <summary>Version, health and images of the runtime; a runtime that does not answer makes the node NotReady.</summary>
    private async Task<RuntimeReport> RuntimeReportAsync(CancellationToken cancellationToken)
    {
        try
        {
            var version = await _cri.Runtime.VersionAsync(new VersionRequest { Version = "v1" }, cancellationToken: cancellationToken).ConfigureAwait(false);
            RuntimeName = version.RuntimeName;
            var status = await _cri.Runtime.StatusAsync(new StatusRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
            var images = await _cri.Images.ListImagesAsync(new ListImagesRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
            return new RuntimeReport
            {
                Version = $"{version.RuntimeName}://{version.RuntimeVersion}",
                NotReadyMessage = NotReadyMessage(status.Status),
                Images = [.. images.Images.Select(i => new V1ContainerImage
                {
                    Names = [.. i.RepoDigests.Concat(i.RepoTags).Distinct(StringComparer.Ordinal)],
                    SizeBytes = (long)i.Size,
                }).Where(i => i.Names.Count > 0)],
            };
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            return new RuntimeReport { Version = RuntimeName + "://unknown", NotReadyMessage = "container runtime is down: " + ex.Status.Detail };
        }
    }

    /// <summary>Upstream's NotReady message for runtime conditions that are false; null when all are true.</summary>
    public static string? NotReadyMessage(RuntimeStatus? status)
    {
        var conditions = status?.Conditions ?? [];
        var runtimeReady = conditions.FirstOrDefault(c => c.Type == "RuntimeReady");
        var networkReady = conditions.FirstOrDefault(c => c.Type == "NetworkReady");
        if (runtimeReady is null || !runtimeReady.Status)
        {
            return $"container runtime status check may not have completed yet: RuntimeReady=false reason:{runtimeReady?.Reason} message:{runtimeReady?.Message}";
        }

        if (networkReady is null || !networkReady.Status)
        {
            return $"container runtime network not ready: NetworkReady=false reason:{networkReady?.Reason} message:{networkReady?.Message}";
        }

        return null;
    }

    private void ApplyPodCidrInBackground(V1Node node, CancellationToken cancellationToken) =>
        Task.Run(() => ApplyPodCidrAsync(node, cancellationToken), CancellationToken.None);

    /// <summary>Hands spec.podCIDR (set by the node IPAM controller) to the runtime once per change.</summary>
    private async Task ApplyPodCidrAsync(V1Node node, CancellationToken cancellationToken)
    {
        var cidr = node.Spec?.PodCIDR;
        if (string.IsNullOrEmpty(cidr) || cidr == _appliedPodCidr || _runtimeConfigUnsupported)
        {
            return;
        }

        try
        {
            var request = new UpdateRuntimeConfigRequest { RuntimeConfig = new RuntimeConfig { NetworkConfig = new NetworkConfig { PodCidr = cidr } } };
            await _cri.Runtime.UpdateRuntimeConfigAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
            _appliedPodCidr = cidr;
            LogPodCidr(_logger, cidr);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
        {
            _runtimeConfigUnsupported = true;
            LogPodCidrUnsupported(_logger, cidr);
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            LogPodCidrFailed(_logger, cidr, ex.Status.Detail);
        }
    }

    private async Task LeaseLoopAsync(CancellationToken cancellationToken)
    {
        await RenewLeaseQuietlyAsync(cancellationToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(_options.LeaseRenewInterval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            await RenewLeaseQuietlyAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RenewLeaseQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RenewLeaseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransient(ex, cancellationToken))
        {
            _lease = null;
            LogLeaseFailed(_logger, _options.NodeName, ex.Message);
        }
    }

    /// <summary>Renews (or creates) the node's Lease: holder = node, owned by the Node so it goes with it.</summary>
    private async Task RenewLeaseAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (_lease is { } known)
        {
            try
            {
                known.Spec = LeaseSpec(known.Spec?.AcquireTime ?? now, now);
                _lease = await _leases.ReplaceAsync(known, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ApiErrors.IsConflict(ex) || ApiErrors.IsNotFound(ex))
            {
                _lease = null;
            }
        }

        var current = await _leases.GetAsync(LeaseNamespace, _options.NodeName, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            _lease = await _leases.CreateAsync(new V1Lease
            {
                ApiVersion = "coordination.k8s.io/v1",
                Kind = "Lease",
                Metadata = new V1ObjectMeta
                {
                    Name = _options.NodeName,
                    NamespaceProperty = LeaseNamespace,
                    OwnerReferences = _nodeUid is { } uid ? [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = _options.NodeName, Uid = uid }] : null,
                },
                Spec = LeaseSpec(now, now),
            }, cancellationToken).ConfigureAwait(false);
            return;
        }

        current.Spec = LeaseSpec(current.Spec?.AcquireTime ?? now, now);
        _lease = await _leases.ReplaceAsync(current, cancellationToken).ConfigureAwait(false);
    }

    private V1LeaseSpec LeaseSpec(DateTime acquired, DateTime now) => new()
    {
        HolderIdentity = _options.NodeName,
        LeaseDurationSeconds = _options.LeaseDurationSeconds,
        AcquireTime = acquired,
        RenewTime = now,
    };

    private static bool IsTransient(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && ex is k8s.Autorest.HttpOperationException or HttpRequestException or RpcException or IOException or TaskCanceledException;
}
