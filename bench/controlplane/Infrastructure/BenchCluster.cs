using System.Diagnostics;
using System.Text.Json;
using ApiServerBench.Infrastructure;
using ApiServerBench.Reporting;

namespace ControlPlaneBench.Infrastructure;

/// <summary>
/// A fresh control plane for one measurement: <c>stevedore server --disable-agent</c> on a new data
/// folder (on SQLite, or on a fresh etcd) plus one <c>stevedore hollow-nodes</c> process whose
/// nodes are all registered and Ready before the measurement starts. (Node IPAM hands out at most
/// 256 pod CIDRs from the default 10.42.0.0/16; further hollow nodes use their fallback ranges.)
/// </summary>
public sealed class BenchCluster : IAsyncDisposable
{
    private const string HollowNodeSelector = "node.stevedore.io%2Fhollow%3Dtrue";
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private readonly EtcdProcess? _etcd;

    private BenchCluster(ServerProcess server, EtcdProcess? etcd)
    {
        Server = server;
        _etcd = etcd;
        Api = new ClusterApi(server.Connection.CreateClient());
    }

    public ServerProcess Server { get; }

    public HollowNodesProcess? HollowNodes { get; private set; }

    /// <summary>Request/response calls; watches use <see cref="CreateWatchApi"/>.</summary>
    public ClusterApi Api { get; }

    /// <summary>Start of hollow-nodes to the moment every node was seen Ready.</summary>
    public TimeSpan NodesReadyAfter { get; private set; }

    /// <summary>A client on its own connection, so long watches do not share one with the load.</summary>
    public ClusterApi CreateWatchApi() => new(Server.Connection.CreateClient());

    public static async Task<BenchCluster> StartAsync(Backend backend, BenchSettings settings, int nodes, CancellationToken cancellationToken)
    {
        var etcd = backend == Backend.Etcd ? await EtcdProcess.StartAsync(cancellationToken) : null;
        BenchCluster? cluster = null;
        try
        {
            var server = await ServerProcess.StartAsync(settings.Binary, etcd?.Endpoint, AuthMode.ClientCertificate, cancellationToken);
            cluster = new BenchCluster(server, etcd);
            await cluster.StartHollowNodesAsync(settings, nodes, cancellationToken);
            return cluster;
        }
        catch
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
            else if (etcd is not null)
            {
                await etcd.DisposeAsync();
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (HollowNodes is not null)
        {
            await HollowNodes.DisposeAsync();
        }

        await Server.DisposeAsync();
        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }
    }

    private async Task StartHollowNodesAsync(BenchSettings settings, int nodes, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        HollowNodes = HollowNodesProcess.Start(settings.Binary, Path.Combine(Server.DataDir, "kubeconfig.yaml"), nodes, "hollow-");
        var lastReport = TimeSpan.Zero;
        while (true)
        {
            await Task.Delay(PollInterval, cancellationToken);
            if (HollowNodes.HasExited)
            {
                throw new InvalidOperationException($"stevedore hollow-nodes exited: {HollowNodes.LogTail}");
            }

            var ready = await CountReadyNodesAsync(cancellationToken);
            if (ready >= nodes)
            {
                NodesReadyAfter = clock.Elapsed;
                return;
            }

            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(10))
            {
                lastReport = clock.Elapsed;
                Progress.Write($"  {ready:N0}/{nodes:N0} hollow nodes Ready after {clock.Elapsed.TotalSeconds:F0} s");
            }

            if (clock.Elapsed > settings.NodeStartTimeout)
            {
                throw new TimeoutException($"only {ready} of {nodes} hollow nodes were Ready after {clock.Elapsed.TotalSeconds:F0} s: {HollowNodes.LogTail}");
            }
        }
    }

    /// <summary>Hollow nodes whose Ready condition is True.</summary>
    private async Task<int> CountReadyNodesAsync(CancellationToken cancellationToken)
    {
        using var list = await Api.GetAsync($"/api/v1/nodes?labelSelector={HollowNodeSelector}", cancellationToken);
        var ready = 0;
        foreach (var node in list.RootElement.GetProperty("items").EnumerateArray())
        {
            if (node.TryGetProperty("status", out var status) && IsReady(status))
            {
                ready++;
            }
        }

        return ready;
    }

    private static bool IsReady(JsonElement status)
    {
        if (!status.TryGetProperty("conditions", out var conditions))
        {
            return false;
        }

        foreach (var condition in conditions.EnumerateArray())
        {
            if (condition.GetProperty("type").GetString() == "Ready")
            {
                return condition.GetProperty("status").GetString() == "True";
            }
        }

        return false;
    }
}
