using Stevedore.ApiServer.Services;

namespace Stevedore.ApiServer.Tests.Services;

public sealed class AllocationTableTests
{
    private const string A = "uid-a";
    private const string B = "uid-b";

    [Fact]
    public void TryReserve_FreeKey_ReservesItForThatUidOnly()
    {
        var table = new AllocationTable();
        Assert.True(table.TryReserve("ip/10.0.0.5", A));
        Assert.True(table.TryReserve("ip/10.0.0.5", A));
        Assert.False(table.TryReserve("ip/10.0.0.5", B));
        Assert.Equal(A, table.HolderOf("ip/10.0.0.5"));
    }

    [Fact]
    public void Release_DropsReservationsButNeverHoldings()
    {
        var table = new AllocationTable();
        table.TryReserve("ip/1", A);
        table.TryReserve("port/30001", A);
        table.Observe(A, 10, ["ip/1"]);
        table.Release(A, ["ip/1", "port/30001"]);
        Assert.Equal(A, table.HolderOf("ip/1"));
        Assert.Null(table.HolderOf("port/30001"));
    }

    [Fact]
    public void Release_OfAnotherUid_LeavesTheReservation()
    {
        var table = new AllocationTable();
        table.TryReserve("ip/1", A);
        table.Release(B, ["ip/1"]);
        Assert.Equal(A, table.HolderOf("ip/1"));
    }

    [Fact]
    public void Observe_NewState_FreesWhatTheServiceNoLongerHolds()
    {
        var table = new AllocationTable();
        table.Observe(A, 10, ["ip/1", "port/30001"]);
        table.Observe(A, 11, ["ip/1"]);
        Assert.Null(table.HolderOf("port/30001"));
        Assert.True(table.IsAvailable("port/30001", B));
        Assert.False(table.IsAvailable("ip/1", B));
    }

    [Fact]
    public void Observe_OlderRevisionAfterNewer_IsIgnored()
    {
        // The registry reports a write at 12 before the watch delivers the write at 11.
        var table = new AllocationTable();
        table.Observe(A, 12, ["ip/1"]);
        table.Observe(A, 11, ["ip/1", "port/30001"]);
        Assert.Null(table.HolderOf("port/30001"));
    }

    [Fact]
    public void Observe_DeletionReportedBeforeTheWatchCatchesUp_LateEventsDoNotResurrect()
    {
        var table = new AllocationTable();
        table.Observe(A, 10, ["ip/1"]);
        table.Observe(A, 12, []);             // the registry deleted it at 12
        table.Observe(A, 11, ["ip/1"]);       // a late watch event of an update
        Assert.Null(table.HolderOf("ip/1"));
        table.Observe(A, 12, [], final: true); // the watch's delete
        Assert.Equal(0, table.Count);
        Assert.True(table.TryReserve("ip/1", B));
    }

    [Fact]
    public void Observe_WatchDeleteBeforeTheRegistryReport_LeavesNothingBehind()
    {
        var table = new AllocationTable();
        table.Observe(A, 10, ["ip/1"]);
        table.Observe(A, 12, [], final: true);
        table.Observe(A, 12, []);
        Assert.Equal(0, table.Count);
        table.Observe(A, 11, ["ip/1"]); // no record is kept, but no event can come after the watch's delete in practice
        Assert.Equal(A, table.HolderOf("ip/1"));
    }

    [Fact]
    public void Observe_ConvertsOwnReservationsIntoHoldings()
    {
        var table = new AllocationTable();
        table.TryReserve("ip/1", A);
        table.Observe(A, 5, ["ip/1"]);
        table.Release(A, ["ip/1"]);
        Assert.Equal(A, table.HolderOf("ip/1"));
    }

    [Fact]
    public void Observe_ValueHeldByAnother_ReportsAConflictAndKeepsTheFirstHolder()
    {
        var table = new AllocationTable();
        table.Observe(A, 5, ["ip/1"]);
        var conflicts = table.Observe(B, 6, ["ip/1"]);
        var conflict = Assert.Single(conflicts);
        Assert.Equal(new AllocationTable.Conflict("ip/1", A, B), conflict);
        Assert.Equal(A, table.HolderOf("ip/1"));
    }

    [Fact]
    public void TryReserveFirstFree_SkipsHeldAndReservedKeys_DryRunReservesNothing()
    {
        var table = new AllocationTable();
        table.Observe(A, 1, ["k1"]);
        table.TryReserve("k2", A);
        Assert.Equal("k3", table.TryReserveFirstFree(["k1", "k2", "k3", "k4"], B, reserve: false));
        Assert.Null(table.HolderOf("k3"));
        Assert.Equal("k3", table.TryReserveFirstFree(["k1", "k2", "k3", "k4"], B, reserve: true));
        Assert.Equal(B, table.HolderOf("k3"));
        Assert.Null(table.TryReserveFirstFree(["k1", "k2", "k3"], B, reserve: true));
    }

    [Fact]
    public void Reset_DropsUidsMissingFromTheListUnlessNewerThanIt()
    {
        var table = new AllocationTable();
        table.Observe(A, 5, ["ip/1"]);
        table.Observe(B, 9, ["ip/2"]);
        table.Reset([("uid-c", 3, ["ip/3"])], revision: 7);
        Assert.Null(table.HolderOf("ip/1"));   // A was deleted before the list was read
        Assert.Equal(B, table.HolderOf("ip/2")); // B was written after the list's revision
        Assert.Equal("uid-c", table.HolderOf("ip/3"));
    }

    [Fact]
    public void Reset_KeepsReservationsOfWritesInFlight()
    {
        var table = new AllocationTable();
        table.TryReserve("ip/9", A);
        table.Reset([], revision: 100);
        Assert.False(table.IsAvailable("ip/9", B));
    }

    [Fact]
    public async Task TryReserve_FromManyThreads_HandsEachKeyOut_Once()
    {
        var table = new AllocationTable();
        var keys = Enumerable.Range(0, 200).Select(i => $"k{i}").ToArray();
        var winners = await Task.WhenAll(Enumerable.Range(0, 400).Select(n => Task.Run(() =>
            table.TryReserveFirstFree(keys, $"uid-{n}", reserve: true))));
        var handedOut = winners.Where(w => w is not null).ToList();
        Assert.Equal(200, handedOut.Count);
        Assert.Equal(200, handedOut.Distinct().Count());
    }
}
