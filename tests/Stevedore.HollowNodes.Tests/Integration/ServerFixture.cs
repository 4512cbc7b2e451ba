using System.Net;
using k8s;
using k8s.Models;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.Client.Connecting;
using Stevedore.Storage;

namespace Stevedore.HollowNodes.Tests.Integration;

/// <summary>A real API server on a loopback port over a real SQLite store, and a client for it.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "stevedore-hollow-" + Guid.NewGuid().ToString("N"));
    private IStore? _store;

    public ApiServerHost Host { get; private set; } = null!;

    public IKubernetes Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDir);
        _store = StoreFactory.Open("sqlite", _dataDir);
        Host = await ApiServerHost.StartAsync(new ApiServerOptions
        {
            Store = _store,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Authenticator = new BearerTokenAuthenticator([new StaticTokenAuthenticator([new StaticToken("test-token", new UserInfo("tester", null, ["system:masters"]))])]),
        }, CancellationToken.None);
        Client = ClusterConnection.FromToken(Host.Address, "test-token");
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    /// <summary>A namespace of the test's own, so tests never see each other's objects.</summary>
    public async Task<string> CreateNamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "api-server";
}
