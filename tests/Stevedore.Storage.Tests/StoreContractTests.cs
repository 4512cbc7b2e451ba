using System.Text;

namespace Stevedore.Storage.Tests;

/// <summary>
/// The whole <see cref="IStore"/> contract, run once per backend. Every test works under its
/// own key prefix and compares revisions relative to what it wrote, so backends that share
/// one keyspace across tests (a single etcd) give the same answers as fresh files.
/// </summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    protected IStore Store { get; private set; } = null!;

    protected string Prefix { get; } = $"/registry/tests/{Guid.NewGuid():N}/";

    /// <summary>Opens a store for one test; disposed after the test.</summary>
    protected abstract Task<IStore> OpenStoreAsync();

    public virtual async Task InitializeAsync() => Store = await OpenStoreAsync();

    public virtual async Task DisposeAsync() => await Store.DisposeAsync();

    protected static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(KeyValue? kv) => kv is null ? "<null>" : Encoding.UTF8.GetString(kv.Value.Span);

    protected string Key(string name) => Prefix + name;

    protected async Task<WriteResult> CreateAsync(string name, string value, long leaseId = 0)
    {
        var result = await Store.CreateAsync(Key(name), Bytes(value), leaseId, CancellationToken.None);
        Assert.Equal(WriteOutcome.Succeeded, result.Outcome);
        return result;
    }

    [Fact]
    public async Task Create_NewKey_IsReadableWithItsRevision()
    {
        var result = await CreateAsync("a", "one");

        var stored = await Store.GetAsync(Key("a"), CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal("one", Text(stored));
        Assert.Equal(result.Revision, stored.ModRevision);
        Assert.Equal(result.Revision, stored.CreateRevision);
        Assert.Equal(0, stored.LeaseId);
        Assert.Equal(result.Revision, result.Current!.ModRevision);
    }

    [Fact]
    public async Task Create_ExistingKey_ReturnsAlreadyExistsWithStoredValue()
    {
        var first = await CreateAsync("a", "one");

        var second = await Store.CreateAsync(Key("a"), Bytes("two"), 0, CancellationToken.None);

        Assert.Equal(WriteOutcome.AlreadyExists, second.Outcome);
        Assert.Equal("one", Text(second.Current));
        Assert.Equal(first.Revision, second.Current!.ModRevision);
        Assert.Equal("one", Text(await Store.GetAsync(Key("a"), CancellationToken.None)));
    }

    [Fact]
    public async Task Get_MissingKey_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync(Key("missing"), CancellationToken.None));
    }

    [Fact]
    public async Task Update_ExpectedRevision_ReplacesValueAndKeepsCreateRevision()
    {
        var created = await CreateAsync("a", "one");

        var updated = await Store.UpdateAsync(Key("a"), Bytes("two"), created.Revision, 0, CancellationToken.None);

        Assert.Equal(WriteOutcome.Succeeded, updated.Outcome);
        Assert.True(updated.Revision > created.Revision);
        var stored = await Store.GetAsync(Key("a"), CancellationToken.None);
        Assert.Equal("two", Text(stored));
        Assert.Equal(created.Revision, stored!.CreateRevision);
        Assert.Equal(updated.Revision, stored.ModRevision);
        Assert.Equal(created.Revision, updated.Current!.CreateRevision);
    }

    [Fact]
    public async Task Update_StaleRevision_ReturnsConflictWithCurrentValue()
    {
        var created = await CreateAsync("a", "one");
        var updated = await Store.UpdateAsync(Key("a"), Bytes("two"), created.Revision, 0, CancellationToken.None);

        var stale = await Store.UpdateAsync(Key("a"), Bytes("three"), created.Revision, 0, CancellationToken.None);

        Assert.Equal(WriteOutcome.Conflict, stale.Outcome);
        Assert.Equal("two", Text(stale.Current));
        Assert.Equal(updated.Revision, stale.Current!.ModRevision);
        Assert.Equal("two", Text(await Store.GetAsync(Key("a"), CancellationToken.None)));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    public async Task Update_MissingKey_ReturnsNotFoundAndCreatesNothing(long expectedRevision)
    {
        var result = await Store.UpdateAsync(Key("missing"), Bytes("x"), expectedRevision, 0, CancellationToken.None);

        Assert.Equal(WriteOutcome.NotFound, result.Outcome);
        Assert.Null(await Store.GetAsync(Key("missing"), CancellationToken.None));
    }

    [Fact]
    public async Task Delete_ExpectedRevision_RemovesKeyAndReturnsLastValue()
    {
        var created = await CreateAsync("a", "one");

        var deleted = await Store.DeleteAsync(Key("a"), created.Revision, CancellationToken.None);

        Assert.Equal(WriteOutcome.Succeeded, deleted.Outcome);
        Assert.True(deleted.Revision > created.Revision);
        Assert.Equal("one", Text(deleted.Current));
        Assert.Null(await Store.GetAsync(Key("a"), CancellationToken.None));
    }

    [Fact]
    public async Task Delete_StaleRevision_ReturnsConflictAndKeepsKey()
    {
        var created = await CreateAsync("a", "one");
        var updated = await Store.UpdateAsync(Key("a"), Bytes("two"), created.Revision, 0, CancellationToken.None);

        var stale = await Store.DeleteAsync(Key("a"), created.Revision, CancellationToken.None);

        Assert.Equal(WriteOutcome.Conflict, stale.Outcome);
        Assert.Equal(updated.Revision, stale.Current!.ModRevision);
        Assert.Equal("two", Text(await Store.GetAsync(Key("a"), CancellationToken.None)));
    }

    [Fact]
    public async Task Delete_AnyRevision_RemovesKey()
    {
        await CreateAsync("a", "one");

        var deleted = await Store.DeleteAsync(Key("a"), 0, CancellationToken.None);

        Assert.Equal(WriteOutcome.Succeeded, deleted.Outcome);
        Assert.Null(await Store.GetAsync(Key("a"), CancellationToken.None));
    }

    [Fact]
    public async Task Delete_MissingKey_ReturnsNotFound()
    {
        var result = await Store.DeleteAsync(Key("missing"), 0, CancellationToken.None);

        Assert.Equal(WriteOutcome.NotFound, result.Outcome);
    }

    [Fact]
    public async Task Create_AfterDelete_StartsNewLife()
    {
        await CreateAsync("a", "one");
        await Store.DeleteAsync(Key("a"), 0, CancellationToken.None);

        var again = await CreateAsync("a", "two");

        var stored = await Store.GetAsync(Key("a"), CancellationToken.None);
        Assert.Equal("two", Text(stored));
        Assert.Equal(again.Revision, stored!.CreateRevision);
    }

    [Fact]
    public async Task Range_Prefix_ReturnsOnlyKeysUnderPrefixInKeyOrder()
    {
        await CreateAsync("pods/b", "2");
        await CreateAsync("pods/a", "1");
        await CreateAsync("pods/c", "3");
        await CreateAsync("podsx/a", "not mine");
        await CreateAsync("pod", "not mine either");

        var result = await Store.RangeAsync(new RangeRequest(Key("pods/")), CancellationToken.None);

        Assert.Equal([Key("pods/a"), Key("pods/b"), Key("pods/c")], result.Items.Select(kv => kv.Key));
        Assert.Equal(["1", "2", "3"], result.Items.Select(Text));
        Assert.Equal(3, result.Count);
        Assert.False(result.More);
        Assert.Equal(await Store.GetCurrentRevisionAsync(CancellationToken.None), result.Revision);
    }

    [Fact]
    public async Task Range_LimitAndStartAfter_PagesThroughEveryKeyOnce()
    {
        var names = Enumerable.Range(0, 7).Select(i => $"items/{i:D2}").ToList();
        foreach (string name in names)
        {
            await CreateAsync(name, name);
        }

        var seen = new List<string>();
        string? startAfter = null;
        var pages = new List<RangeResult>();
        do
        {
            var page = await Store.RangeAsync(new RangeRequest(Key("items/"), startAfter, Limit: 3), CancellationToken.None);
            pages.Add(page);
            seen.AddRange(page.Items.Select(kv => kv.Key));
            startAfter = page.Items.Count > 0 ? page.Items[^1].Key : null;
            if (!page.More)
            {
                break;
            }
        }
        while (pages.Count < 10);

        Assert.Equal(names.Select(Key), seen);
        Assert.Equal([3, 3, 1], pages.Select(p => p.Items.Count));
        Assert.Equal([true, true, false], pages.Select(p => p.More));
        Assert.Equal([7L, 4L, 1L], pages.Select(p => p.Count));
    }

    [Fact]
    public async Task Range_CountOnly_ReturnsCountWithoutItems()
    {
        await CreateAsync("c/1", "x");
        await CreateAsync("c/2", "x");

        var result = await Store.RangeAsync(new RangeRequest(Key("c/"), CountOnly: true), CancellationToken.None);

        Assert.Empty(result.Items);
        Assert.Equal(2, result.Count);
    }

    [Fact]
    public async Task Range_OldRevision_ReturnsKeysAsTheyWereThen()
    {
        var a = await CreateAsync("h/a", "a1");
        var b = await CreateAsync("h/b", "b1");
        await Store.UpdateAsync(Key("h/a"), Bytes("a2"), a.Revision, 0, CancellationToken.None);
        await Store.DeleteAsync(Key("h/b"), 0, CancellationToken.None);
        await CreateAsync("h/c", "c1");

        var then = await Store.RangeAsync(new RangeRequest(Key("h/"), Revision: b.Revision), CancellationToken.None);
        var now = await Store.RangeAsync(new RangeRequest(Key("h/")), CancellationToken.None);

        Assert.Equal(b.Revision, then.Revision);
        Assert.Equal([Key("h/a"), Key("h/b")], then.Items.Select(kv => kv.Key));
        Assert.Equal(["a1", "b1"], then.Items.Select(Text));
        Assert.Equal(2, then.Count);
        Assert.Equal([Key("h/a"), Key("h/c")], now.Items.Select(kv => kv.Key));
        Assert.Equal(["a2", "c1"], now.Items.Select(Text));

        var paged = await Store.RangeAsync(new RangeRequest(Key("h/"), Key("h/a"), Limit: 1, Revision: b.Revision), CancellationToken.None);
        Assert.Equal([Key("h/b")], paged.Items.Select(kv => kv.Key));
        Assert.False(paged.More);
    }

    [Fact]
    public async Task Range_ResultLargerThanGrpcDefaultLimit_ReturnsEverything()
    {
        // gRPC clients refuse messages over 4 MiB unless told otherwise; lists get that big.
        var value = new byte[900 * 1024];
        Random.Shared.NextBytes(value);
        for (int i = 0; i < 6; i++)
        {
            await Store.CreateAsync(Key($"big/{i}"), value, 0, CancellationToken.None);
        }

        var result = await Store.RangeAsync(new RangeRequest(Key("big/")), CancellationToken.None);

        Assert.Equal(6, result.Items.Count);
        Assert.All(result.Items, kv => Assert.True(kv.Value.Span.SequenceEqual(value)));
    }

    [Fact]
    public async Task Range_FutureRevision_Throws()
    {
        long current = await Store.GetCurrentRevisionAsync(CancellationToken.None);

        await Assert.ThrowsAsync<StoreFutureRevisionException>(
            () => Store.RangeAsync(new RangeRequest(Prefix, Revision: current + 1000), CancellationToken.None));
    }

    [Fact]
    public async Task Writes_EachSuccessfulWrite_AdvancesTheRevision()
    {
        long before = await Store.GetCurrentRevisionAsync(CancellationToken.None);
        var created = await CreateAsync("r", "1");
        var updated = await Store.UpdateAsync(Key("r"), Bytes("2"), created.Revision, 0, CancellationToken.None);
        var conflict = await Store.UpdateAsync(Key("r"), Bytes("3"), created.Revision, 0, CancellationToken.None);
        long afterConflict = await Store.GetCurrentRevisionAsync(CancellationToken.None);
        var deleted = await Store.DeleteAsync(Key("r"), 0, CancellationToken.None);

        Assert.True(before < created.Revision);
        Assert.True(created.Revision < updated.Revision);
        Assert.Equal(WriteOutcome.Conflict, conflict.Outcome);
        Assert.Equal(updated.Revision, afterConflict);
        Assert.True(updated.Revision < deleted.Revision);
        Assert.Equal(deleted.Revision, await Store.GetCurrentRevisionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Watch_FromRevision_DeliversHistoryWithPreviousValuesIncludingDeletes()
    {
        long start = await Store.GetCurrentRevisionAsync(CancellationToken.None);
        var created = await CreateAsync("w/a", "1");
        await CreateAsync("elsewhere", "ignored");
        var updated = await Store.UpdateAsync(Key("w/a"), Bytes("2"), created.Revision, 0, CancellationToken.None);
        var deleted = await Store.DeleteAsync(Key("w/a"), 0, CancellationToken.None);

        await using var watch = new TestWatch(Store, Key("w/"), start);
        var events = await watch.TakeAsync(3);

        Assert.Equal([created.Revision, updated.Revision, deleted.Revision], events.Select(e => e.Revision));
        Assert.Equal([WatchEventType.Put, WatchEventType.Put, WatchEventType.Delete], events.Select(e => e.Type));
        Assert.True(events[0].IsCreate);
        Assert.Null(events[0].Previous);
        Assert.Equal("1", Text(events[0].Current));
        Assert.Equal("2", Text(events[1].Current));
        Assert.Equal("1", Text(events[1].Previous));
        Assert.Equal(created.Revision, events[1].Previous!.ModRevision);
        Assert.Equal(created.Revision, events[1].Current.CreateRevision);
        Assert.Equal(Key("w/a"), events[2].Current.Key);
        Assert.True(events[2].Current.Value.IsEmpty);
        Assert.Equal("2", Text(events[2].Previous));
        Assert.Equal(updated.Revision, events[2].Previous!.ModRevision);
    }

    [Fact]
    public async Task Watch_HistoryThenLive_DeliversEveryChangeOnceInOrder()
    {
        long start = await Store.GetCurrentRevisionAsync(CancellationToken.None);
        var revisions = new List<long>();
        for (int i = 0; i < 3; i++)
        {
            revisions.Add((await CreateAsync($"l/{i}", "old")).Revision);
        }

        await using var watch = new TestWatch(Store, Key("l/"), start);
        var history = await watch.TakeAsync(3);
        for (int i = 3; i < 6; i++)
        {
            revisions.Add((await CreateAsync($"l/{i}", "new")).Revision);
        }

        var live = await watch.TakeAsync(3);
        long last = revisions[^1];
        var after = await CreateAsync("l/last", "x");
        var final = await watch.TakeAsync(1);

        Assert.Equal(revisions, history.Concat(live).Select(e => e.Revision));
        Assert.Equal(after.Revision, final[0].Revision);
        Assert.True(final[0].Revision > last);
    }

    [Fact]
    public async Task Watch_FromCurrentRevision_DeliversOnlyLaterChanges()
    {
        await CreateAsync("n/old", "x");
        long start = await Store.GetCurrentRevisionAsync(CancellationToken.None);

        await using var watch = new TestWatch(Store, Key("n/"), start);
        watch.StartNext();
        var created = await CreateAsync("n/new", "y");
        var change = await watch.NextAsync();

        Assert.Equal(Key("n/new"), change.Current.Key);
        Assert.Equal(created.Revision, change.Revision);
    }

    [Fact]
    public async Task Compact_OldRevision_HistoryBelowIsGoneAndNewestValuesStay()
    {
        var v1 = await CreateAsync("k/a", "1");
        var v2 = await Store.UpdateAsync(Key("k/a"), Bytes("2"), v1.Revision, 0, CancellationToken.None);
        var gone = await CreateAsync("k/gone", "x");
        await Store.DeleteAsync(Key("k/gone"), 0, CancellationToken.None);
        var v3 = await Store.UpdateAsync(Key("k/a"), Bytes("3"), v2.Revision, 0, CancellationToken.None);
        var kept = await CreateAsync("k/kept", "k");

        await Store.CompactAsync(v3.Revision, CancellationToken.None);

        Assert.True(await Store.GetCompactedRevisionAsync(CancellationToken.None) >= v3.Revision);
        await Assert.ThrowsAsync<StoreCompactedException>(
            () => Store.RangeAsync(new RangeRequest(Key("k/"), Revision: v2.Revision), CancellationToken.None));
        await using (var compactedWatch = new TestWatch(Store, Key("k/"), v2.Revision))
        {
            await Assert.ThrowsAsync<StoreCompactedException>(compactedWatch.NextAsync);
        }

        var atCompaction = await Store.RangeAsync(new RangeRequest(Key("k/"), Revision: v3.Revision), CancellationToken.None);
        Assert.Equal([Key("k/a")], atCompaction.Items.Select(kv => kv.Key));
        Assert.Equal("3", Text(atCompaction.Items[0]));
        var now = await Store.RangeAsync(new RangeRequest(Key("k/")), CancellationToken.None);
        Assert.Equal([Key("k/a"), Key("k/kept")], now.Items.Select(kv => kv.Key));
        Assert.Equal(v1.Revision, now.Items[0].CreateRevision);
        Assert.True(gone.Revision < v3.Revision);

        await using var watch = new TestWatch(Store, Key("k/"), v3.Revision);
        var events = await watch.TakeAsync(1);
        Assert.Equal(kept.Revision, events[0].Revision);

        // Compacting again at or below the compacted revision changes nothing.
        await Store.CompactAsync(v2.Revision, CancellationToken.None);
        Assert.True(await Store.GetCompactedRevisionAsync(CancellationToken.None) >= v3.Revision);
    }

    [Fact]
    public async Task Compact_FutureRevision_Throws()
    {
        long current = await Store.GetCurrentRevisionAsync(CancellationToken.None);

        await Assert.ThrowsAsync<StoreFutureRevisionException>(() => Store.CompactAsync(current + 1000, CancellationToken.None));
    }

    [Fact]
    public async Task RevokeLease_AttachedKeys_AreDeletedWithDeleteEvents()
    {
        long lease = await Store.GrantLeaseAsync(TimeSpan.FromMinutes(5), CancellationToken.None);
        long start = await Store.GetCurrentRevisionAsync(CancellationToken.None);
        await CreateAsync("lease/a", "a", lease);
        await CreateAsync("lease/b", "b", lease);
        await CreateAsync("lease/free", "c");

        await Store.RevokeLeaseAsync(lease, CancellationToken.None);

        Assert.Null(await Store.GetAsync(Key("lease/a"), CancellationToken.None));
        Assert.Null(await Store.GetAsync(Key("lease/b"), CancellationToken.None));
        Assert.NotNull(await Store.GetAsync(Key("lease/free"), CancellationToken.None));
        await using var watch = new TestWatch(Store, Key("lease/"), start);
        var events = await watch.TakeAsync(5);
        var deletes = events.Where(e => e.Type == WatchEventType.Delete).ToList();
        Assert.Equal([Key("lease/a"), Key("lease/b")], deletes.Select(e => e.Current.Key).Order(StringComparer.Ordinal));
        Assert.All(deletes, e => Assert.Equal(lease, e.Previous!.LeaseId));
        Assert.False(await Store.KeepAliveLeaseAsync(lease, CancellationToken.None));
    }

    [Fact]
    public async Task LeaseExpiry_AttachedKeys_AreDeletedWithDeleteEvents()
    {
        long lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
        Assert.True(await Store.KeepAliveLeaseAsync(lease, CancellationToken.None));
        long start = await Store.GetCurrentRevisionAsync(CancellationToken.None);
        var created = await CreateAsync("exp/a", "a", lease);
        Assert.Equal(lease, created.Current!.LeaseId);
        Assert.Equal(lease, (await Store.GetAsync(Key("exp/a"), CancellationToken.None))!.LeaseId);

        await using var watch = new TestWatch(Store, Key("exp/"), start);
        var events = await watch.TakeAsync(2);

        Assert.Equal(WatchEventType.Put, events[0].Type);
        Assert.Equal(WatchEventType.Delete, events[1].Type);
        Assert.Equal(Key("exp/a"), events[1].Current.Key);
        Assert.Null(await Store.GetAsync(Key("exp/a"), CancellationToken.None));
        Assert.False(await Store.KeepAliveLeaseAsync(lease, CancellationToken.None));
    }

    [Fact]
    public async Task Create_UnknownLease_Throws()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(
            () => Store.CreateAsync(Key("nolease"), Bytes("x"), 987654321, CancellationToken.None));
        Assert.Null(await Store.GetAsync(Key("nolease"), CancellationToken.None));
    }

    [Fact]
    public async Task ConcurrentWriters_CompareAndSwapIncrements_NoUpdateIsLost()
    {
        const int writers = 4;
        const int incrementsEach = 25;
        await CreateAsync("counter", "0");

        async Task IncrementAsync()
        {
            for (int done = 0; done < incrementsEach;)
            {
                var current = await Store.GetAsync(Key("counter"), CancellationToken.None);
                int value = int.Parse(Text(current));
                var result = await Store.UpdateAsync(
                    Key("counter"), Bytes((value + 1).ToString()), current!.ModRevision, 0, CancellationToken.None);
                if (result.Succeeded)
                {
                    done++;
                }
                else
                {
                    Assert.Equal(WriteOutcome.Conflict, result.Outcome);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(IncrementAsync)));

        Assert.Equal((writers * incrementsEach).ToString(), Text(await Store.GetAsync(Key("counter"), CancellationToken.None)));
    }

    [Fact]
    public async Task GetDatabaseSize_AfterWrites_IsPositive()
    {
        await CreateAsync("size", new string('x', 4096));

        Assert.True(await Store.GetDatabaseSizeAsync(CancellationToken.None) > 0);
    }
}
