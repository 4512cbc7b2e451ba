using ApiServerBench.Reporting;

namespace ApiServerBench.Infrastructure;

/// <summary>A fresh server on one backend: on SQLite in its own temp folder, or on a fresh etcd started just for it.</summary>
public sealed class BackendTarget : IAsyncDisposable
{
    private readonly EtcdProcess? _etcd;

    private BackendTarget(ServerProcess server, EtcdProcess? etcd)
    {
        Server = server;
        _etcd = etcd;
    }

    public ServerProcess Server { get; }

    public static async Task<BackendTarget> StartAsync(Backend backend, BenchSettings settings, CancellationToken cancellationToken)
    {
        var etcd = backend == Backend.Etcd ? await EtcdProcess.StartAsync(cancellationToken) : null;
        try
        {
            var server = await ServerProcess.StartAsync(settings.Binary, etcd?.Endpoint, settings.Auth, cancellationToken);
            return new BackendTarget(server, etcd);
        }
        catch
        {
            if (etcd is not null)
            {
                await etcd.DisposeAsync();
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }
    }
}
