using k8s.Models;
using Stevedore.Client.Cache;
using Stevedore.Client.Tests.Support;

namespace Stevedore.Client.Tests.Cache;

public sealed class DeltaFifoTests
{
    private static async Task<(IReadOnlyList<Delta<V1ConfigMap>> Deltas, bool Initial)> PopAsync(DeltaFifo<V1ConfigMap> fifo)
    {
        IReadOnlyList<Delta<V1ConfigMap>>? popped = null;
        var initial = false;
        Assert.True(await fifo.PopAsync((d, i) => (popped, initial) = (d, i), CancellationToken.None));
        return (popped!, initial);
    }

    [Fact]
    public async Task Pop_SeveralChangesOfOneObject_DeliversThemTogetherInOrder()
    {
        var fifo = new DeltaFifo<V1ConfigMap>();
        fifo.Add(Objects.ConfigMap("a", "x", "1"));
        fifo.Add(Objects.ConfigMap("a", "y", "2"));
        fifo.Update(Objects.ConfigMap("a", "x", "3"));

        Assert.Equal(2, fifo.Count);
        var (deltas, _) = await PopAsync(fifo);
        Assert.Equal([DeltaType.Added, DeltaType.Updated], deltas.Select(d => d.Type));
        Assert.Equal(["1", "3"], deltas.Select(d => d.Object.Metadata.ResourceVersion));
        Assert.Equal("a/y", ObjectKeys.For((await PopAsync(fifo)).Deltas[0].Object));
    }

    [Fact]
    public void Delete_TwiceInARow_KeepsOneDeletion()
    {
        var fifo = new DeltaFifo<V1ConfigMap>();
        fifo.Add(Objects.ConfigMap("a", "x"));
        fifo.Delete(Objects.ConfigMap("a", "x", "2"));
        fifo.Delete(Objects.ConfigMap("a", "x", "3"));

        Assert.Equal([DeltaType.Added, DeltaType.Deleted], fifo.GetDeltas("a/x")!.Select(d => d.Type));
        Assert.Equal("3", fifo.GetDeltas("a/x")![1].Object.Metadata.ResourceVersion);
    }

    [Fact]
    public void Delete_UnknownObject_IsIgnored()
    {
        var fifo = new DeltaFifo<V1ConfigMap>(new Indexer<V1ConfigMap>());
        fifo.Delete(Objects.ConfigMap("a", "ghost"));
        Assert.Equal(0, fifo.Count);
    }

    [Fact]
    public void Replace_KnownObjectMissingFromList_QueuesFinalStateUnknownTombstone()
    {
        var known = new Indexer<V1ConfigMap>();
        known.Upsert(Objects.ConfigMap("a", "gone", "5"));
        known.Upsert(Objects.ConfigMap("a", "kept", "6"));
        var fifo = new DeltaFifo<V1ConfigMap>(known);

        fifo.Replace([Objects.ConfigMap("a", "kept", "7")], "10");

        Assert.Equal(DeltaType.Replaced, Assert.Single(fifo.GetDeltas("a/kept")!).Type);
        var tombstone = Assert.Single(fifo.GetDeltas("a/gone")!);
        Assert.Equal(DeltaType.Deleted, tombstone.Type);
        Assert.True(tombstone.IsFinalStateUnknown);
        Assert.Equal("5", tombstone.Object.Metadata.ResourceVersion);
    }

    [Fact]
    public void Replace_RealDeletionAlreadyQueued_KeepsRealDeletionOverTombstone()
    {
        var known = new Indexer<V1ConfigMap>();
        known.Upsert(Objects.ConfigMap("a", "x", "1"));
        var fifo = new DeltaFifo<V1ConfigMap>(known);
        fifo.Delete(Objects.ConfigMap("a", "x", "2"));

        fifo.Replace([], "10");

        var delta = Assert.Single(fifo.GetDeltas("a/x")!);
        Assert.False(delta.IsFinalStateUnknown);
        Assert.Equal("2", delta.Object.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task HasSynced_TurnsTrueOnlyAfterInitialListIsProcessed()
    {
        var fifo = new DeltaFifo<V1ConfigMap>(new Indexer<V1ConfigMap>());
        Assert.False(fifo.HasSynced);
        fifo.Replace([Objects.ConfigMap("a", "x"), Objects.ConfigMap("a", "y")], "3");
        Assert.False(fifo.HasSynced);

        var (_, initial) = await PopAsync(fifo);
        Assert.True(initial);
        Assert.False(fifo.HasSynced);
        await PopAsync(fifo);
        Assert.True(fifo.HasSynced);
    }

    [Fact]
    public void Replace_EmptyInitialList_IsSyncedAtOnce()
    {
        var fifo = new DeltaFifo<V1ConfigMap>(new Indexer<V1ConfigMap>());
        fifo.Replace([], "1");
        Assert.True(fifo.HasSynced);
    }

    [Fact]
    public void Resync_QueuesSyncOnlyForObjectsWithNothingPending()
    {
        var known = new Indexer<V1ConfigMap>();
        known.Upsert(Objects.ConfigMap("a", "idle"));
        known.Upsert(Objects.ConfigMap("a", "busy"));
        var fifo = new DeltaFifo<V1ConfigMap>(known);
        fifo.Update(Objects.ConfigMap("a", "busy", "2"));

        fifo.Resync();

        Assert.Equal(DeltaType.Sync, Assert.Single(fifo.GetDeltas("a/idle")!).Type);
        Assert.Equal(DeltaType.Updated, Assert.Single(fifo.GetDeltas("a/busy")!).Type);
    }

    [Fact]
    public async Task PopAsync_Closed_ReturnsFalse()
    {
        var fifo = new DeltaFifo<V1ConfigMap>();
        var pop = fifo.PopAsync((_, _) => { }, CancellationToken.None);
        fifo.Close();
        Assert.False(await pop);
    }
}
