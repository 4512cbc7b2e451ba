using k8s;
using Stevedore.Client.LeaderElection;

namespace Stevedore.Client.Tests.Integration;

[Collection(ServerCollection.Name)]
public sealed class LeaderElectorTests(ServerFixture server)
{
    private LeaderElector Elector(string ns, string identity, bool releaseOnCancel, List<string> log) => new(server.Client, new LeaderElectionConfig
    {
        LeaseNamespace = ns,
        LeaseName = "controllers",
        Identity = identity,
        LeaseDuration = TimeSpan.FromSeconds(2),
        RenewDeadline = TimeSpan.FromSeconds(1.5),
        RetryPeriod = TimeSpan.FromMilliseconds(200),
        ReleaseOnCancel = releaseOnCancel,
    })
    {
        OnStartedLeading = _ =>
        {
            lock (log)
            {
                log.Add("start " + identity);
            }

            return Task.CompletedTask;
        },
        OnStoppedLeading = () =>
        {
            lock (log)
            {
                log.Add("stop " + identity);
            }
        },
    };

    [Fact]
    public async Task TwoElectors_FirstStopsRenewing_SecondTakesOver()
    {
        var ns = await server.CreateNamespaceAsync();
        var log = new List<string>();
        var a = Elector(ns, "a", releaseOnCancel: false, log);
        var b = Elector(ns, "b", releaseOnCancel: false, log);
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var runA = a.RunAsync(stopA.Token);
        await Eventually.TrueAsync(() => a.IsLeader, "a leads");
        var runB = b.RunAsync(stopB.Token);
        await Eventually.TrueAsync(() => b.CurrentLeader == "a", "b observes a");
        Assert.False(b.IsLeader);

        // a vanishes without releasing (like a crash); b must wait for the lease to expire, then lead.
        await stopA.CancelAsync();
        await runA;
        await Eventually.TrueAsync(() => b.IsLeader, "b takes over");

        var lease = await server.Client.CoordinationV1.ReadNamespacedLeaseAsync("controllers", ns);
        Assert.Equal("b", lease.Spec.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
        Assert.Equal(["start a", "stop a", "start b"], log);

        await stopB.CancelAsync();
        await runB;
    }

    [Fact]
    public async Task Release_OnCancel_ClearsHolder()
    {
        var ns = await server.CreateNamespaceAsync();
        var log = new List<string>();
        var a = Elector(ns, "a", releaseOnCancel: true, log);
        using var stop = new CancellationTokenSource();
        var run = a.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => a.IsLeader, "a leads");
        await stop.CancelAsync();
        await run;

        var lease = await server.Client.CoordinationV1.ReadNamespacedLeaseAsync("controllers", ns);
        Assert.True(string.IsNullOrEmpty(lease.Spec.HolderIdentity));
        Assert.False(a.IsLeader);
    }
}
