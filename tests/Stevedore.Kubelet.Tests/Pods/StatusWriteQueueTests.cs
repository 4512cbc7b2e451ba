using Microsoft.Extensions.Logging.Abstractions;
using Stevedore.Kubelet.Pods;
using Stevedore.Kubelet.Tests.Probes;

namespace Stevedore.Kubelet.Tests.Pods;

public sealed class StatusWriteQueueTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Queue_WhileAWriteIsInFlight_OnlyTheNewestQueuedRunsNext()
    {
        var queue = new StatusWriteQueue(new ManualTimeProvider(Builders.T0), NullLogger.Instance);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var written = new List<string>();
        queue.Queue("pod", "status", async _ =>
        {
            firstStarted.SetResult();
            await release.Task;
            lock (written)
            {
                written.Add("first");
            }
        }, CancellationToken.None);
        await firstStarted.Task.WaitAsync(Wait);

        foreach (var name in new[] { "second", "third", "fourth" })
        {
            queue.Queue("pod", "status", _ =>
            {
                lock (written)
                {
                    written.Add(name);
                }

                return Task.CompletedTask;
            }, CancellationToken.None);
        }

        release.SetResult();
        await queue.WhenIdleAsync("pod").WaitAsync(Wait);

        Assert.Equal(["first", "fourth"], written);
    }

    [Fact]
    public async Task Queue_TwoKeys_OneBlockedWriteDoesNotHoldTheOther()
    {
        var queue = new StatusWriteQueue(new ManualTimeProvider(Builders.T0), NullLogger.Instance);
        var never = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        queue.Queue("slow", "status", ct => never.Task.WaitAsync(ct), stop.Token);
        var other = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Queue("fast", "status", _ =>
        {
            other.SetResult();
            return Task.CompletedTask;
        }, stop.Token);

        await other.Task.WaitAsync(Wait);
        await stop.CancelAsync();
        await queue.WhenIdleAsync("slow").WaitAsync(Wait);
    }

    [Fact]
    public async Task Queue_WriteFails_RetriedAfterTheBackoff()
    {
        var time = new ManualTimeProvider(Builders.T0);
        var queue = new StatusWriteQueue(time, NullLogger.Instance);
        var attempts = 0;
        var failedOnce = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Queue("pod", "status", _ =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                failedOnce.SetResult();
                throw new HttpRequestException("connection refused");
            }

            return Task.CompletedTask;
        }, CancellationToken.None);
        await failedOnce.Task.WaitAsync(Wait);

        // The retry waits for the clock: advance until the back-off timer has fired and the write ran again.
        var deadline = DateTime.UtcNow + Wait;
        while (Volatile.Read(ref attempts) < 2 && DateTime.UtcNow < deadline)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(10);
        }

        await queue.WhenIdleAsync("pod").WaitAsync(Wait);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task Queue_WriteFailsAndANewerOneIsQueued_TheNewerReplacesTheRetry()
    {
        var time = new ManualTimeProvider(Builders.T0);
        var queue = new StatusWriteQueue(time, NullLogger.Instance);
        var written = new List<string>();
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Queue("pod", "status", _ =>
        {
            lock (written)
            {
                written.Add("old");
            }

            failed.TrySetResult();
            throw new HttpRequestException("connection refused");
        }, CancellationToken.None);
        await failed.Task.WaitAsync(Wait);
        queue.Queue("pod", "status", _ =>
        {
            lock (written)
            {
                written.Add("new");
            }

            return Task.CompletedTask;
        }, CancellationToken.None);

        var deadline = DateTime.UtcNow + Wait;
        while (written.Count < 2 && DateTime.UtcNow < deadline)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(10);
        }

        await queue.WhenIdleAsync("pod").WaitAsync(Wait);
        Assert.Equal(["old", "new"], written);
    }

    [Fact]
    public async Task StopAsync_WithAWriteQueuedBehindOneInFlight_WaitsForTheInFlightAndDropsTheQueued()
    {
        var queue = new StatusWriteQueue(new ManualTimeProvider(Builders.T0), NullLogger.Instance);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;
        var queuedRan = false;
        queue.Queue("pod", "status", async _ =>
        {
            started.SetResult();
            await release.Task;
            finished = true;
        }, CancellationToken.None);
        await started.Task.WaitAsync(Wait);
        queue.Queue("pod", "status", _ =>
        {
            queuedRan = true;
            return Task.CompletedTask;
        }, CancellationToken.None);

        var stop = queue.StopAsync("pod");
        Assert.False(stop.IsCompleted);
        release.SetResult();
        await stop.WaitAsync(Wait);

        Assert.True(finished);
        Assert.False(queuedRan);
    }
}
