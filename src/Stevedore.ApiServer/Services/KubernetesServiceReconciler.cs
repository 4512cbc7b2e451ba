using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;
using Stevedore.Storage;

namespace Stevedore.ApiServer.Services;

/// <summary>
/// Keeps the <c>default/kubernetes</c> Service (the first cluster IP, port 443 to the API
/// server's port) and its Endpoints and EndpointSlice pointing at every live API server, as
/// upstream's "lease" endpoint reconciler: each server keeps a key
/// <c>/registry/masterleases/&lt;ip&gt;</c> alive on a 15 s store lease and every 10 s writes the
/// set of live addresses. A stopping server removes its key and its address.
/// </summary>
public sealed partial class KubernetesServiceReconciler : IAsyncDisposable
{
    public const string LeasePrefix = "/registry/masterleases/";
    public const string ServiceName = "kubernetes";
    private const string FieldManager = "kube-apiserver";

    private static readonly TimeSpan LeaseTimeToLive = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly ResourceRegistry _registry;
    private readonly IStore _store;
    private readonly ServiceIPRange _range;
    private readonly IPAddress _address;
    private readonly int _port;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ApiResource _services;
    private readonly ApiResource _endpoints;
    private readonly ApiResource _endpointSlices;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _leaseId;

    public KubernetesServiceReconciler(ResourceRegistry registry, ServiceIPRange range, IPAddress address, int port, TimeProvider time, ILogger logger)
    {
        _registry = registry;
        _store = registry.Store;
        _range = range;
        _address = address;
        _port = port;
        _time = time;
        _logger = logger;
        _services = registry.Catalog.Find("", "v1", "services")!;
        _endpoints = registry.Catalog.Find("", "v1", "endpoints")!;
        _endpointSlices = registry.Catalog.Find("discovery.k8s.io", "v1", "endpointslices")!;
    }

    private string LeaseKey => LeasePrefix + _address;

    /// <summary>Reconciles once (so the Service exists when the server starts answering), then every 10 s.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReconcileAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is ApiException or StoreUnavailableException or IOException or InvalidOperationException)
        {
            // The loop tries again; a server that cannot write this yet can still serve.
            LogReconcileFailed(_logger, ex);
        }

        _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, _time, cancellationToken);
                await ReconcileAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is ApiException or StoreUnavailableException or IOException or InvalidOperationException)
            {
                LogReconcileFailed(_logger, ex);
            }
        }
    }

    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        await RenewLeaseAsync(cancellationToken);
        var addresses = await LiveAddressesAsync(cancellationToken);
        addresses.Add(_address.ToString());
        await EnsureServiceAsync(cancellationToken);
        await WriteEndpointsAsync([.. addresses.Order(StringComparer.Ordinal)], cancellationToken);
    }

    private async Task RenewLeaseAsync(CancellationToken cancellationToken)
    {
        if (_leaseId == 0 || !await _store.KeepAliveLeaseAsync(_leaseId, cancellationToken))
        {
            _leaseId = await _store.GrantLeaseAsync(LeaseTimeToLive, cancellationToken);
        }

        var value = Encoding.UTF8.GetBytes(new JsonObject { ["ip"] = _address.ToString(), ["port"] = _port }.ToJsonString());
        var current = await _store.GetAsync(LeaseKey, cancellationToken);
        if (current is null)
        {
            await _store.CreateAsync(LeaseKey, value, _leaseId, cancellationToken);
        }
        else if (current.LeaseId != _leaseId)
        {
            await _store.UpdateAsync(LeaseKey, value, current.ModRevision, _leaseId, cancellationToken);
        }
    }

    private async Task<HashSet<string>> LiveAddressesAsync(CancellationToken cancellationToken)
    {
        var page = await _store.RangeAsync(new RangeRequest(LeasePrefix, null, 1000, 0), cancellationToken);
        return [.. page.Items.Select(kv => kv.Key[LeasePrefix.Length..]).Where(ip => IPAddress.TryParse(ip, out _))];
    }

    private async Task EnsureServiceAsync(CancellationToken cancellationToken)
    {
        var ports = new JsonArray(new JsonObject { ["name"] = "https", ["protocol"] = "TCP", ["port"] = 443, ["targetPort"] = _port });
        await UpsertAsync(_services, ServiceName, service =>
        {
            // Only what this server owns is corrected; anything else a user set stays.
            var spec = service["spec"] as JsonObject ?? [];
            spec["type"] = "ClusterIP";
            spec["ports"] = ports.DeepClone();
            service["spec"] = spec;
            return service;
        }, () => new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject
            {
                ["name"] = ServiceName,
                ["namespace"] = "default",
                ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" },
            },
            ["spec"] = new JsonObject
            {
                ["type"] = "ClusterIP",
                ["clusterIP"] = _range.First.ToString(),
                ["sessionAffinity"] = "None",
                ["ports"] = ports.DeepClone(),
            },
        }, cancellationToken);
    }

    private async Task WriteEndpointsAsync(IReadOnlyList<string> addresses, CancellationToken cancellationToken)
    {
        var subsets = addresses.Count == 0 ? new JsonArray() : new JsonArray(new JsonObject
        {
            ["addresses"] = new JsonArray([.. addresses.Select(ip => (JsonNode)new JsonObject { ["ip"] = ip })]),
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = _port, ["protocol"] = "TCP" }),
        });
        var endpointsLabels = new JsonObject { ["endpointslice.kubernetes.io/skip-mirror"] = "true" };
        await UpsertAsync(_endpoints, ServiceName, endpoints =>
        {
            endpoints["subsets"] = subsets.DeepClone();
            Metadata(endpoints)["labels"] = endpointsLabels.DeepClone();
            return endpoints;
        }, () => new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Endpoints",
            ["metadata"] = new JsonObject { ["name"] = ServiceName, ["namespace"] = "default", ["labels"] = endpointsLabels.DeepClone() },
            ["subsets"] = subsets.DeepClone(),
        }, cancellationToken);

        var endpoints = new JsonArray([.. addresses.Select(ip => (JsonNode)new JsonObject
        {
            ["addresses"] = new JsonArray(ip),
            ["conditions"] = new JsonObject { ["ready"] = true },
        })]);
        var slicePorts = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = _port, ["protocol"] = "TCP" });
        var sliceLabels = new JsonObject { ["kubernetes.io/service-name"] = ServiceName };
        await UpsertAsync(_endpointSlices, ServiceName, slice =>
        {
            slice["addressType"] = "IPv4";
            slice["endpoints"] = endpoints.DeepClone();
            slice["ports"] = slicePorts.DeepClone();
            Metadata(slice)["labels"] = sliceLabels.DeepClone();
            return slice;
        }, () => new JsonObject
        {
            ["apiVersion"] = "discovery.k8s.io/v1",
            ["kind"] = "EndpointSlice",
            ["metadata"] = new JsonObject { ["name"] = ServiceName, ["namespace"] = "default", ["labels"] = sliceLabels.DeepClone() },
            ["addressType"] = "IPv4",
            ["endpoints"] = endpoints.DeepClone(),
            ["ports"] = slicePorts.DeepClone(),
        }, cancellationToken);
    }

    private WriteOptions Options() => new(FieldManager, false, _time.GetUtcNow());

    /// <summary>Read-modify-write, or create; when another server creates the object first, the next round updates it.</summary>
    private async Task UpsertAsync(ApiResource resource, string name, Func<JsonObject, JsonObject> mutate, Func<JsonObject> create, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _registry.UpdateAsync(resource, "default", name, mutate, Options(), "Update", cancellationToken, create);
                return;
            }
            catch (ApiException ex) when (ex.Code == 409 && attempt < 3)
            {
            }
        }
    }

    private static JsonObject Metadata(JsonObject obj) => obj["metadata"] as JsonObject ?? throw new InvalidOperationException("stored object without metadata");

    /// <summary>Stops the loop and takes this server's address out of the endpoints (best effort, a few seconds at most).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            if (_leaseId != 0)
            {
                await _store.RevokeLeaseAsync(_leaseId, timeout.Token);
            }

            var remaining = await LiveAddressesAsync(timeout.Token);
            remaining.Remove(_address.ToString());
            await WriteEndpointsAsync([.. remaining.Order(StringComparer.Ordinal)], timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ApiException or StoreUnavailableException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            LogCleanupFailed(_logger, ex.Message);
        }

        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciling the kubernetes Service failed")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not remove this server from the kubernetes endpoints: {Reason}")]
    private static partial void LogCleanupFailed(ILogger logger, string reason);
}
