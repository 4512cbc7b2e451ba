using Stevedore.Storage.Sqlite;

namespace Stevedore.Storage.Tests;

/// <summary>The contract on a fresh SQLite file per test, plus what only a file can do.</summary>
public sealed class SqliteStoreTests : StoreContractTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stevedore-storage-").FullName;

    private string DatabasePath => Path.Combine(_directory, "state.db");

    protected override Task<IStore> OpenStoreAsync() =>
        Task.FromResult<IStore>(SqliteStore.Open(DatabasePath, new SqliteStoreOptions { LeaseCheckInterval = TimeSpan.FromMilliseconds(100) }));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Reopen_SameFile_KeepsDataRevisionsAndCompaction()
    {
        var created = await CreateAsync("p/a", "1");
        var updated = await Store.UpdateAsync(Key("p/a"), Bytes("2"), created.Revision, 0, CancellationToken.None);
        var deleted = await CreateAsync("p/b", "b");
        await Store.DeleteAsync(Key("p/b"), 0, CancellationToken.None);
        await Store.CompactAsync(updated.Revision, CancellationToken.None);
        long revision = await Store.GetCurrentRevisionAsync(CancellationToken.None);
        await Store.DisposeAsync();

        await using var reopened = SqliteStore.Open(DatabasePath);

        Assert.Equal(revision, await reopened.GetCurrentRevisionAsync(CancellationToken.None));
        Assert.Equal(updated.Revision, await reopened.GetCompactedRevisionAsync(CancellationToken.None));
        var stored = await reopened.GetAsync(Key("p/a"), CancellationToken.None);
        Assert.Equal("2", Text(stored));
        Assert.Equal(created.Revision, stored!.CreateRevision);
        Assert.Null(await reopened.GetAsync(Key("p/b"), CancellationToken.None));
        var next = await reopened.CreateAsync(Key("p/c"), Bytes("c"), 0, CancellationToken.None);
        Assert.Equal(revision + 1, next.Revision);
        Assert.True(deleted.Revision < next.Revision);

        // The base class disposes Store again; a second dispose must be harmless.
    }

    [Fact]
    public async Task GetAsync_ManyMoreConcurrentReadersThanPooledConnections_EachSeesItsOwnValue()
    {
        // More readers at once than the pool keeps (64), on real threads, over several rounds: a
        // connection handed to two readers, or one lost from the pool's count, shows as a wrong or
        // failed read.
        const int keys = 200;
        for (var i = 0; i < keys; i++)
        {
            await CreateAsync($"r/{i}", $"v{i}");
        }

        for (var round = 0; round < 3; round++)
        {
            var reads = Enumerable.Range(0, keys).Select(i => Task.Run(async () =>
            {
                var stored = await Store.GetAsync(Key($"r/{i}"), CancellationToken.None);
                return (i, Text(stored));
            }));
            foreach (var (i, text) in await Task.WhenAll(reads))
            {
                Assert.Equal($"v{i}", text);
            }
        }
    }

    [Fact]
    public async Task Reopen_AfterDeletingNewestKey_DoesNotReuseItsRevision()
    {
        await CreateAsync("t/a", "1");
        var deleted = await Store.DeleteAsync(Key("t/a"), 0, CancellationToken.None);
        await Store.CompactAsync(deleted.Revision, CancellationToken.None);
        await Store.DisposeAsync();

        await using var reopened = SqliteStore.Open(DatabasePath);
        var next = await reopened.CreateAsync(Key("t/b"), Bytes("b"), 0, CancellationToken.None);

        Assert.Equal(deleted.Revision + 1, next.Revision);
    }

    [Fact]
    public async Task Watch_SlowReaderOverflowsBuffer_CatchesUpFromLogWithoutGaps()
    {
        await using var store = SqliteStore.Open(Path.Combine(_directory, "small-buffer.db"), new SqliteStoreOptions { WatchBufferCapacity = 4 });
        await store.CreateAsync("/o/start", Bytes("x"), 0, CancellationToken.None);
        long start = await store.GetCurrentRevisionAsync(CancellationToken.None);
        await using var watch = new TestWatch(store, "/o/", start);
        watch.StartNext();
        var revisions = new List<long>();
        revisions.Add((await store.CreateAsync("/o/0", Bytes("x"), 0, CancellationToken.None)).Revision);
        var events = new List<WatchEvent> { await watch.NextAsync() };

        for (int i = 1; i < 40; i++)
        {
            revisions.Add((await store.CreateAsync($"/o/{i}", Bytes("x"), 0, CancellationToken.None)).Revision);
        }

        events.AddRange(await watch.TakeAsync(39));

        Assert.Equal(revisions, events.Select(e => e.Revision));
    }

    [Fact]
    public async Task PeriodicCompactor_Enabled_CompactsOldHistory()
    {
        await using var store = SqliteStore.Open(Path.Combine(_directory, "compactor.db"), new SqliteStoreOptions
        {
            CompactionInterval = TimeSpan.FromMilliseconds(50),
            CompactionRetainedRevisions = 2,
        });
        var first = await store.CreateAsync("/c/a", Bytes("0"), 0, CancellationToken.None);
        long modRevision = first.Revision;
        for (int i = 1; i <= 10; i++)
        {
            modRevision = (await store.UpdateAsync("/c/a", Bytes(i.ToString()), modRevision, 0, CancellationToken.None)).Revision;
        }

        using var limit = new CancellationTokenSource(TestWatch.WaitLimit);
        while (await store.GetCompactedRevisionAsync(CancellationToken.None) <= first.Revision)
        {
            await Task.Delay(20, limit.Token);
        }

        long compacted = await store.GetCompactedRevisionAsync(CancellationToken.None);
        Assert.True(compacted <= modRevision - 2);
        await Assert.ThrowsAsync<StoreCompactedException>(
            () => store.RangeAsync(new RangeRequest("/c/", Revision: first.Revision), CancellationToken.None));
        Assert.Equal("10", Text(await store.GetAsync("/c/a", CancellationToken.None)));
    }
}
