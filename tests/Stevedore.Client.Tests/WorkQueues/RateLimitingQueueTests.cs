using Microsoft.Extensions.Logging.Abstractions;
using Stevedore.Client.Controllers;
using Stevedore.Client.Tests.Support;
using Stevedore.Client.WorkQueues;

namespace Stevedore.Client.Tests.WorkQueues;

public sealed class RateLimitingQueueTests
{
    private readonly ManualTimeProvider _time = new();

    private RateLimitingQueue<string> NewQueue() => new(RateLimiters.DefaultController<string>(_time), _time);

    [Fact]
    public async Task Add_SameKeyTwiceWhileQueued_HandsItOutOnce()
    {
        using var queue = NewQueue();
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");

        Assert.Equal(2, queue.Count);
        Assert.Equal("a", (await queue.GetAsync()).Item);
        Assert.Equal("b", (await queue.GetAsync()).Item);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Add_WhileProcessing_IsRequeuedOnlyAfterDone()
    {
        using var queue = NewQueue();
        queue.Add("a");
        var (item, _) = await queue.GetAsync();
        queue.Add("a");

        Assert.Equal(0, queue.Count);
        var second = queue.GetAsync().AsTask();
        Assert.False(second.IsCompleted);

        queue.Done(item);
        Assert.Equal("a", (await second).Item);
    }

    [Fact]
    public async Task Done_NotAddedMeanwhile_DoesNotRequeue()
    {
        using var queue = NewQueue();
        queue.Add("a");
        var (item, _) = await queue.GetAsync();
        queue.Done(item);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void AddAfter_WaitsForTheClock()
    {
        using var queue = NewQueue();
        queue.AddAfter("a", TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, queue.Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void AddAfter_SameItemSooner_EarlierTimeWinsAndItIsQueuedOnce()
    {
        using var queue = NewQueue();
        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        queue.AddAfter("a", TimeSpan.FromSeconds(2));
        queue.AddAfter("a", TimeSpan.FromSeconds(6));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, queue.Count);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void AddRateLimited_RepeatedFailures_BackOffExponentially()
    {
        using var queue = NewQueue();
        queue.AddRateLimited("a");
        _time.Advance(TimeSpan.FromMilliseconds(4));
        Assert.Equal(0, queue.Count);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, queue.Count);

        queue.AddRateLimited("b");
        queue.AddRateLimited("b");
        Assert.Equal(2, queue.NumRequeues("b"));
        queue.Forget("b");
        Assert.Equal(0, queue.NumRequeues("b"));
    }

    [Fact]
    public async Task ShutDown_DrainsQueuedItemsThenReportsShutdown()
    {
        using var queue = NewQueue();
        queue.Add("a");
        var waiting = NewQueue();
        var blocked = waiting.GetAsync().AsTask();
        queue.ShutDown();
        waiting.ShutDown();

        Assert.Equal(("a", false), await queue.GetAsync());
        Assert.True((await queue.GetAsync()).ShuttingDown);
        Assert.True((await blocked).ShuttingDown);
        queue.Add("b");
        Assert.Equal(0, queue.Count);
        waiting.Dispose();
    }

    [Fact]
    public async Task ProcessNextWorkItem_SyncFails_RequeuesRateLimitedAndForgetsOnSuccess()
    {
        using var queue = NewQueue();
        var attempts = 0;
        Task Sync(string key, CancellationToken ct) => ++attempts < 3 ? throw new InvalidOperationException("boom") : Task.CompletedTask;
        queue.Add("a");

        Assert.True(await WorkerLoop.ProcessNextWorkItemAsync(queue, Sync, NullLogger.Instance, CancellationToken.None));
        Assert.Equal(1, queue.NumRequeues("a"));
        Assert.Equal(0, queue.Count);
        _time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.True(await WorkerLoop.ProcessNextWorkItemAsync(queue, Sync, NullLogger.Instance, CancellationToken.None));
        Assert.Equal(2, queue.NumRequeues("a"));
        _time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True(await WorkerLoop.ProcessNextWorkItemAsync(queue, Sync, NullLogger.Instance, CancellationToken.None));

        Assert.Equal(3, attempts);
        Assert.Equal(0, queue.NumRequeues("a"));
        queue.ShutDown();
        Assert.False(await WorkerLoop.ProcessNextWorkItemAsync(queue, Sync, NullLogger.Instance, CancellationToken.None));
    }
}
