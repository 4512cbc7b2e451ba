using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Models;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.Client.Connecting;
using Stevedore.Client.Informers;
using Stevedore.Scheduler.Host;
using Stevedore.Storage;

namespace Stevedore.Scheduler.Tests.Host;

/// <summary>
/// The scheduler on informers shared with another component of the process (as in
/// <c>stevedore server</c>, where the controllers use the same ones): a real API server over
/// SQLite with one node and no scheduler of its own.
/// </summary>
public sealed class SchedulerHostSharedInformersTests : IAsyncLifetime
{
    private const string Token = "shared-informers-token";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "stevedore-sched-shared-" + Guid.NewGuid().ToString("N"));
    private IStore? _store;
    private ApiServerHost? _host;
    private IKubernetes _client = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDir);
        _store = StoreFactory.Open("sqlite", _dataDir);
        _host = await ApiServerHost.StartAsync(new ApiServerOptions
        {
            Store = _store,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Authenticator = new BearerTokenAuthenticator([new StaticTokenAuthenticator([new StaticToken(Token, new UserInfo("tester", null, ["system:masters"]))])]),
        }, CancellationToken.None);
        _client = ClusterConnection.FromToken(_host.Address, Token);
        var resources = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("16Gi"), ["pods"] = new("110") };
        await _client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = "only-node", Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "only-node" } },
            Status = new V1NodeStatus { Capacity = resources, Allocatable = resources, Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }] },
        });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task RunAsync_SharedInformers_EachTermSchedulesAndTheInformersOutliveIt()
    {
        await using var informers = new SharedInformerFactory(_client);
        // Another component of the process, on the same pod informer.
        var seenByOther = new ConcurrentDictionary<string, V1Pod>();
        using var other = informers.GetInformer<V1Pod>().AddEventHandler(
            onAdd: p => seenByOther[p.Metadata.Name] = p,
            onUpdate: (_, p) => seenByOther[p.Metadata.Name] = p);

        // First term: schedules, then ends.
        using (var term = new CancellationTokenSource())
        {
            var running = Task.Run(() => new SchedulerHost(_client, informers: informers).RunAsync(term.Token));
            await _client.CoreV1.CreateNamespacedPodAsync(SchedulerClusterFixture.Pod("first"), "default");
            var bound = await SchedulerClusterFixture.EventuallyAsync(() => Task.FromResult(seenByOther.GetValueOrDefault("first") is { Spec.NodeName: not null } p ? p : null), "the first pod bound in the first term");
            Assert.Equal("only-node", bound.Spec.NodeName);
            await term.CancelAsync();
            await running;
        }

        // Between terms the shared informers still run: the other component sees a new pod arrive.
        await _client.CoreV1.CreateNamespacedPodAsync(SchedulerClusterFixture.Pod("second"), "default");
        await SchedulerClusterFixture.EventuallyAsync(() => Task.FromResult(seenByOther.GetValueOrDefault("second")), "the second pod seen by the other component with no scheduler running");

        // Second term on the same informers: it finds the pending pod in their cache and binds it.
        using (var term = new CancellationTokenSource())
        {
            var running = Task.Run(() => new SchedulerHost(_client, informers: informers).RunAsync(term.Token));
            var bound = await SchedulerClusterFixture.EventuallyAsync(() => Task.FromResult(seenByOther.GetValueOrDefault("second") is { Spec.NodeName: not null } p ? p : null), "the second pod bound in the second term");
            Assert.Equal("only-node", bound.Spec.NodeName);
            await term.CancelAsync();
            await running;
        }
    }
}
