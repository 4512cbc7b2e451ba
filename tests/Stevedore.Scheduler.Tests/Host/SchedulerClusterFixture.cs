using System.Net;
using k8s;
using k8s.Models;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.Client.Connecting;
using Stevedore.Scheduler.Host;
using Stevedore.Storage;

namespace Stevedore.Scheduler.Tests.Host;

/// <summary>
/// A real in-process API server over SQLite in a temp folder with two Ready fake nodes
/// (node-a, node-b: 4 CPU, 16Gi, 110 pods) and the scheduler host running against it.
/// </summary>
public sealed class SchedulerClusterFixture : IAsyncLifetime
{
    public static readonly string[] NodeNames = ["node-a", "node-b"];

    private const string Token = "scheduler-test-token";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "stevedore-sched-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _stop = new();
    private IStore? _store;
    private ApiServerHost? _host;
    private Task _scheduler = Task.CompletedTask;

    public IKubernetes Client { get; private set; } = null!;

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
        Client = ClusterConnection.FromToken(_host.Address, Token);
        foreach (var name in NodeNames)
        {
            await Client.CoreV1.CreateNodeAsync(FakeNode(name));
        }

        _scheduler = Task.Run(() => new SchedulerHost(Client).RunAsync(_stop.Token));
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _scheduler;
        Client.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _stop.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    public async Task<string> CreateNamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    public static V1Pod Pod(string name, IDictionary<string, string>? nodeSelector = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeSelector = nodeSelector,
            Containers =
            [
                new V1Container
                {
                    Name = "c",
                    Image = "busybox",
                    Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m") } },
                },
            ],
        },
    };

    /// <summary>Polls until <paramref name="check"/> returns a value, or fails with <paramref name="what"/> after 30 s of trying.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> check, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await check() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("never happened: " + what);
            }

            await Task.Delay(100);
        }
    }

    private static V1Node FakeNode(string name)
    {
        var resources = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("16Gi"), ["pods"] = new("110") };
        return new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
            Status = new V1NodeStatus
            {
                Capacity = resources,
                Allocatable = resources,
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
            },
        };
    }
}

[CollectionDefinition(Name)]
public sealed class SchedulerClusterCollection : ICollectionFixture<SchedulerClusterFixture>
{
    public const string Name = "scheduler-cluster";
}
