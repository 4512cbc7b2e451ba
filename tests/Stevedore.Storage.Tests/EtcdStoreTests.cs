using Stevedore.Storage.Etcd;

namespace Stevedore.Storage.Tests;

/// <summary>The contract on a real etcd, plus surviving an etcd restart mid-watch.</summary>
public sealed class EtcdStoreTests(EtcdFixture etcd) : StoreContractTests, IClassFixture<EtcdFixture>
{
    protected override Task<IStore> OpenStoreAsync() =>
        Task.FromResult<IStore>(EtcdStore.Connect([etcd.Server.Endpoint], new EtcdStoreOptions
        {
            InitialWatchRetryDelay = TimeSpan.FromMilliseconds(50),
            MaxWatchRetryDelay = TimeSpan.FromMilliseconds(500),
        }));

    [Fact]
    public async Task Watch_EtcdRestartsMidWatch_ResumesWithoutLosingOrRepeatingEvents()
    {
        long start = await Store.GetCurrentRevisionAsync(CancellationToken.None);
        var revisions = new List<long>();
        for (int i = 0; i < 3; i++)
        {
            revisions.Add((await CreateAsync($"r/{i}", "before")).Revision);
        }

        await using var watch = new TestWatch(Store, Key("r/"), start);
        var events = await watch.TakeAsync(3);

        // The next read is in flight on the broken stream while etcd is down.
        watch.StartNext();
        await etcd.Server.KillAsync();
        await etcd.Server.StartAsync();
        for (int i = 3; i < 6; i++)
        {
            revisions.Add((await CreateAsync($"r/{i}", "after")).Revision);
        }

        events.AddRange(await watch.TakeAsync(3));

        Assert.Equal(revisions, events.Select(e => e.Revision));
        Assert.Equal(Enumerable.Range(0, 6).Select(i => Key($"r/{i}")), events.Select(e => e.Current.Key));
    }

    [Fact]
    public async Task Watch_SecondEndpointDown_StillWorksThroughTheLiveOne()
    {
        await using var store = EtcdStore.Connect([etcd.Server.Endpoint, "127.0.0.1:1"]);
        long start = await store.GetCurrentRevisionAsync(CancellationToken.None);
        await using var watch = new TestWatch(store, Key("m/"), start);

        var created = await store.CreateAsync(Key("m/a"), Bytes("x"), 0, CancellationToken.None);
        var events = await watch.TakeAsync(1);

        Assert.Equal(created.Revision, events[0].Revision);
    }

    [Fact]
    public async Task Watch_ClusterMembersFailOneAtATime_ResumesWithoutLosingOrRepeatingEvents()
    {
        var members = await EtcdServer.StartClusterAsync(3);
        try
        {
            await using var store = EtcdStore.Connect(members.Select(m => m.Endpoint).ToList(), new EtcdStoreOptions
            {
                InitialWatchRetryDelay = TimeSpan.FromMilliseconds(50),
                MaxWatchRetryDelay = TimeSpan.FromMilliseconds(500),
            });
            long start = await store.GetCurrentRevisionAsync(CancellationToken.None);
            await using var watch = new TestWatch(store, Key("c/"), start);
            var revisions = new List<long>();
            var events = new List<WatchEvent>();

            // Whichever member the watch is on, one of these losses breaks its stream.
            foreach (var member in members)
            {
                await member.KillAsync();
                for (int i = 0; i < 2; i++)
                {
                    revisions.Add(await CreateThroughMemberLossAsync(store, Key($"c/{revisions.Count}")));
                }

                events.AddRange(await watch.TakeAsync(2));
                await member.StartAsync();
            }

            Assert.Equal(revisions, events.Select(e => e.Revision));
        }
        finally
        {
            foreach (var member in members)
            {
                await member.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Creates a key while the cluster may be electing a new leader. A write caught by a
    /// member's death or an election fails as unavailable (kube-apiserver answers such a
    /// write with an error too, and its client retries); the test retries it the same way. A
    /// retry that finds the key means the failed attempt was in fact applied.
    /// </summary>
    private static async Task<long> CreateThroughMemberLossAsync(IStore store, string key)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var created = await store.CreateAsync(key, Bytes("x"), 0, CancellationToken.None);
                bool appliedEarlier = attempt > 1 && created.Outcome == WriteOutcome.AlreadyExists;
                Assert.True(created.Succeeded || appliedEarlier, $"create {key} (attempt {attempt}): {created.Outcome}");
                return created.Outcome == WriteOutcome.Succeeded ? created.Revision : created.Current!.ModRevision;
            }
            catch (StoreUnavailableException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }
}
