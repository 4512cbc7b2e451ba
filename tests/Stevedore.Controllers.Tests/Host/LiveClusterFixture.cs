using System.Net;
using k8s;
using k8s.Models;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.Client.Connecting;
using Stevedore.Controllers.Host;
using Stevedore.Controllers.NodeLifecycle;
using Stevedore.Storage;

namespace Stevedore.Controllers.Tests.Host;

/// <summary>A real in-process API server over SQLite in a temp folder, with the controller manager running against it.</summary>
public sealed class LiveClusterFixture : IAsyncLifetime
{
    private const string Token = "controllers-test-token";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "stevedore-cm-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _stop = new();
    private IStore? _store;
    private ApiServerHost? _host;
    private Task _controllers = Task.CompletedTask;

    /// <summary>How long a node may stay silent before it turns Unknown (upstream: 40 s; short here).</summary>
    public static readonly TimeSpan NodeGracePeriod = TimeSpan.FromSeconds(2);

    /// <summary>The CA the root CA publisher hands out (any PEM does for the controller).</summary>
    public const string CaPem = "-----BEGIN CERTIFICATE-----\nTUlJQi1saXZlLWNsdXN0ZXItdGVzdA==\n-----END CERTIFICATE-----\n";

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
        _controllers = Task.Run(() => new ControllerManager(Client, nodeHealth: new NodeHealthTracker(NodeGracePeriod, NodeGracePeriod), rootCaPem: CaPem).RunControllersAsync(_stop.Token));
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _controllers;
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

    /// <summary>A namespace of the test's own, so tests never see each other's objects.</summary>
    public async Task<string> CreateNamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

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
}

[CollectionDefinition(Name)]
public sealed class LiveClusterCollection : ICollectionFixture<LiveClusterFixture>
{
    public const string Name = "live-cluster";
}
