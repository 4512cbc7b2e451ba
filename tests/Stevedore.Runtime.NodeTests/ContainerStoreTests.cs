using Stevedore.Runtime.Containers;

namespace Stevedore.Runtime.NodeTests;

/// <summary>
/// The store's in-memory record cache must never hide a write by another process (a shim updates its
/// container's record while the engine lists): two stores over one folder stand in for the two processes.
/// </summary>
public sealed class ContainerStoreTests : IDisposable
{
    private const string One = "c1c1c1c1c1c1c1c1c1c1";
    private const string Two = "c2c2c2c2c2c2c2c2c2c2";
    private readonly string _root = Directory.CreateTempSubdirectory("stevedore-store-test-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static void Save(ContainerStore store, ContainerRecord record)
    {
        Directory.CreateDirectory(store.PathsOf(record.Id).Dir);
        store.Save(record);
    }

    [Fact]
    public void List_AfterAnotherStoreUpdates_SeesTheUpdate()
    {
        var engine = new ContainerStore(_root);
        var shim = new ContainerStore(_root);
        Save(engine, new ContainerRecord { Id = One, Name = "one", Status = ContainerStatus.Created });
        Assert.Equal(ContainerStatus.Created, Assert.Single(engine.List()).Status);

        shim.Update(One, r => r.Status = ContainerStatus.Running);

        Assert.Equal(ContainerStatus.Running, Assert.Single(engine.List()).Status);
    }

    [Fact]
    public void List_SameSizeWriteWithinOneTick_SeesTheSecond()
    {
        var engine = new ContainerStore(_root);
        var shim = new ContainerStore(_root);
        var record = engine.PathsOf(One).Record;
        // Two writes of the same size within one timestamp tick of the file system leave identical time and size.
        var tick = DateTime.UtcNow;
        Save(shim, new ContainerRecord { Id = One, Name = "one", Status = ContainerStatus.Running, Pid = 1111 });
        File.SetLastWriteTimeUtc(record, tick);
        Assert.Equal(1111, Assert.Single(engine.List()).Pid);

        Save(shim, new ContainerRecord { Id = One, Name = "one", Status = ContainerStatus.Running, Pid = 2222 });
        File.SetLastWriteTimeUtc(record, tick);

        Assert.Equal(2222, Assert.Single(engine.List()).Pid);
    }

    [Fact]
    public void List_SettledRecordRewritten_SeesTheRewrite()
    {
        var engine = new ContainerStore(_root);
        var shim = new ContainerStore(_root);
        Save(shim, new ContainerRecord { Id = One, Name = "one", Status = ContainerStatus.Running, Pid = 1111 });
        var record = new ContainerStore(_root).PathsOf(One).Record;
        // An old file: the cache trusts it from now on...
        File.SetLastWriteTimeUtc(record, DateTime.UtcNow.AddMinutes(-5));
        Assert.Equal(1111, Assert.Single(engine.List()).Pid);
        Assert.Equal(1111, Assert.Single(engine.List()).Pid);

        // ...until it is written again (same size, new time).
        Save(shim, new ContainerRecord { Id = One, Name = "one", Status = ContainerStatus.Running, Pid = 2222 });
        Assert.Equal(2222, Assert.Single(engine.List()).Pid);
    }

    [Fact]
    public void List_RecordRemovedByAnotherStore_IsGone()
    {
        var engine = new ContainerStore(_root);
        Save(engine, new ContainerRecord { Id = One, Name = "one" });
        Save(engine, new ContainerRecord { Id = Two, Name = "two", Created = DateTimeOffset.UtcNow });
        Assert.Equal(2, engine.List().Count);

        Directory.Delete(engine.PathsOf(One).Dir, recursive: true);

        Assert.Equal(Two, Assert.Single(engine.List()).Id);
    }
}
