using System.Globalization;
using System.Text.Json.Nodes;

namespace ControlPlaneBench.Infrastructure;

/// <summary>
/// Keeps the scheduler from scheduling without touching the server: the benchmark takes the
/// scheduler's leader Lease (<c>kube-system/kube-scheduler</c>) and renews it every second. The
/// scheduler's leader election (15 s lease, 2 s retry) sees another holder at its next renewal,
/// stops leading and keeps retrying. <see cref="ReleaseAsync"/> clears the holder, so the scheduler
/// takes the Lease back at its next attempt and starts a fresh term: it lists nodes and pods and
/// finds every pending pod in its queue at once — a backlog, drained at the scheduler's own pace.
/// </summary>
public sealed class SchedulerHold : IAsyncDisposable
{
    private const string LeasePath = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler";
    private const string Holder = "controlplane-bench";

    /// <summary>Long enough for the scheduler to try to renew (every 2 s) and see that it lost the Lease.</summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(6);

    private readonly ClusterApi _api;
    private readonly CancellationTokenSource _stop = new();
    private Task? _renewing;

    private SchedulerHold(ClusterApi api) => _api = api;

    /// <summary>Takes the Lease, keeps renewing it, and returns once the scheduler has had time to step down.</summary>
    public static async Task<SchedulerHold> TakeAsync(ClusterApi api, CancellationToken cancellationToken)
    {
        var hold = new SchedulerHold(api);
        await hold.RenewAsync(cancellationToken);
        hold._renewing = hold.RenewLoopAsync();
        await Task.Delay(SettleTime, cancellationToken);
        return hold;
    }

    /// <summary>Stops renewing and clears the holder, so the scheduler takes the Lease at its next attempt.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        await StopRenewingAsync();
        await _api.MergePatchAsync(LeasePath, new JsonObject { ["spec"] = new JsonObject { ["holderIdentity"] = null } }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopRenewingAsync();
        _stop.Dispose();
    }

    private async Task StopRenewingAsync()
    {
        if (_renewing is null)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _renewing;
        }
        catch (OperationCanceledException)
        {
        }

        _renewing = null;
    }

    private async Task RenewLoopAsync()
    {
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
            await RenewAsync(_stop.Token);
        }
    }

    // A merge patch carries no resourceVersion, so it wins over the scheduler's compare-and-swap
    // renewals; a new renewTime every time keeps the record changing, so the Lease never looks expired.
    private Task RenewAsync(CancellationToken cancellationToken) => _api.MergePatchAsync(LeasePath, new JsonObject
    {
        ["spec"] = new JsonObject
        {
            ["holderIdentity"] = Holder,
            ["leaseDurationSeconds"] = 3600,
            ["renewTime"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        },
    }, cancellationToken);
}
