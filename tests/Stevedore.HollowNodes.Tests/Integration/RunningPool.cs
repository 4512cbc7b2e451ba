using k8s;

namespace Stevedore.HollowNodes.Tests.Integration;

/// <summary>A <see cref="HollowNodePool"/> running in the background for one test; disposing stops it (heartbeats end).</summary>
internal sealed class RunningPool : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    private RunningPool(HollowNodePool pool)
    {
        Pool = pool;
        _run = Task.Run(() => pool.RunAsync(_stop.Token));
    }

    public HollowNodePool Pool { get; }

    /// <summary>Starts a pool with a unique name prefix and test-speed intervals, and waits until it is ready.</summary>
    public static async Task<RunningPool> StartAsync(IKubernetes client, int count = 2, Func<HollowNodeOptions, HollowNodeOptions>? configure = null)
    {
        var options = new HollowNodeOptions
        {
            Count = count,
            NamePrefix = "h" + Guid.NewGuid().ToString("N")[..6] + "-",
            LeaseRenewInterval = TimeSpan.FromMilliseconds(200),
            NodeStatusInterval = TimeSpan.FromSeconds(1),
            PodCidrWait = TimeSpan.FromMilliseconds(300),
            CrashLoopInitialBackoff = TimeSpan.FromMilliseconds(200),
            CrashLoopMaxBackoff = TimeSpan.FromSeconds(1),
        };
        var running = new RunningPool(new HollowNodePool(client, configure?.Invoke(options) ?? options));
        var finished = await Task.WhenAny(running.Pool.Ready, running._run, Task.Delay(TimeSpan.FromSeconds(60)));
        if (finished != running.Pool.Ready)
        {
            await running.DisposeAsync();
            Assert.Fail("the hollow node pool did not become ready: " + running._run.Exception);
        }

        return running;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
