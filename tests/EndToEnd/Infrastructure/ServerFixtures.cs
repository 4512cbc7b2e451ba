namespace EndToEnd.Infrastructure;

/// <summary>One published server on the embedded SQLite store, shared by a test class.</summary>
public sealed class SqliteServerFixture : IAsyncLifetime
{
    public StevedoreServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await StevedoreServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>One published server whose store is a real etcd started for it.</summary>
public sealed class EtcdServerFixture : IAsyncLifetime
{
    private EtcdProcess? _etcd;

    public StevedoreServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _etcd = await EtcdProcess.StartAsync();
        Server = await StevedoreServer.StartAsync(_etcd.Endpoint);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }
    }
}

/// <summary>
/// One published server (SQLite) with the scheduler and controllers, plus <c>stevedore hollow-nodes --count 3</c>
/// (hollow-node-0..2), shared by the tests of a collection; each test works in its own namespace and
/// undoes what it changes on the nodes.
/// </summary>
public sealed class HollowClusterFixture : IAsyncLifetime
{
    public const int NodeCount = 3;

    public StevedoreServer Server { get; private set; } = null!;

    public HollowNodesProcess Nodes { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await StevedoreServer.StartAsync();
        try
        {
            Nodes = await HollowNodesProcess.StartAsync(Server, NodeCount);
        }
        catch
        {
            await Server.DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (Nodes is not null)
        {
            await Nodes.DisposeAsync();
        }

        await Server.DisposeAsync();
    }
}

/// <summary>One agent-enabled server (<see cref="AgentServer"/>) shared by a collection; only one may run on the machine at a time.</summary>
public sealed class AgentServerFixture : IAsyncLifetime
{
    public AgentServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AgentServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
