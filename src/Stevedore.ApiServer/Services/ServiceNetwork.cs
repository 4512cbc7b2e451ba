using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Watch;

namespace Stevedore.ApiServer.Services;

/// <summary>
/// The API server's Service machinery, composed once per server: the allocator the registry
/// calls, the follower that rebuilds and tracks its table, and the <c>kubernetes</c> Service
/// reconciler (started once the server knows its port).
/// </summary>
public sealed class ServiceNetwork : IAsyncDisposable
{
    private readonly ServiceAllocationFollower _follower;
    private KubernetesServiceReconciler? _reconciler;

    private ServiceNetwork(ServiceAllocator allocator, ServiceAllocationFollower follower)
    {
        Allocator = allocator;
        _follower = follower;
    }

    public ServiceAllocator Allocator { get; }

    /// <summary>Builds the allocator and loads the stored Services into it (the caches must be started).</summary>
    /// <exception cref="FormatException">The service CIDR or node port range is malformed.</exception>
    public static ServiceNetwork Start(string serviceCidr, string nodePortRange, ResourceCatalog catalog, CacheDispatcher caches, ILogger logger)
    {
        var allocator = new ServiceAllocator(ServiceIPRange.Parse(serviceCidr), NodePortRange.Parse(nodePortRange), new AllocationTable());
        var follower = new ServiceAllocationFollower(caches.For(catalog.Find("", "v1", "services")!), caches, allocator.Table, logger);
        follower.Start();
        return new ServiceNetwork(allocator, follower);
    }

    /// <summary>Creates or corrects <c>default/kubernetes</c> and its endpoints, then keeps them so.</summary>
    public async Task StartKubernetesServiceAsync(ResourceRegistry registry, IPAddress advertise, int port, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        _reconciler = new KubernetesServiceReconciler(registry, Allocator.IPs, advertise, port, time, logger);
        await _reconciler.StartAsync(cancellationToken);
    }

    /// <summary>
    /// The address other nodes and pods reach this server at: the configured one, else the listen
    /// address, else (listening on all addresses) the first IPv4 address of an interface that is up.
    /// </summary>
    public static IPAddress AdvertiseAddress(IPAddress? configured, IPAddress listen)
    {
        if (configured is not null)
        {
            return configured;
        }

        if (listen.AddressFamily == AddressFamily.InterNetwork && !listen.Equals(IPAddress.Any))
        {
            return listen;
        }

        var candidate = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        return candidate ?? IPAddress.Loopback;
    }

    public async ValueTask DisposeAsync()
    {
        if (_reconciler is not null)
        {
            await _reconciler.DisposeAsync();
        }

        await _follower.DisposeAsync();
    }
}
