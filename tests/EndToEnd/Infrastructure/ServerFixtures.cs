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
