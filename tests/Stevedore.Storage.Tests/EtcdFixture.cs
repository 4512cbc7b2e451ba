namespace Stevedore.Storage.Tests;

/// <summary>One etcd shared by the etcd test class; tests isolate themselves by key prefix.</summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    public EtcdServer Server { get; } = new();

    public Task InitializeAsync() => Server.StartAsync();

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();
}
