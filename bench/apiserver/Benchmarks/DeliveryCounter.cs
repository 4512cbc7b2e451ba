namespace ApiServerBench.Benchmarks;

/// <summary>Counts watch deliveries and wakes the writer once every watcher has seen the current update.</summary>
public sealed class DeliveryCounter
{
    private long _delivered;
    private long _target = long.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Arms the counter for <paramref name="target"/> deliveries in total; call before the write that causes them.</summary>
    public Task WaitForAsync(long target)
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _target, target);
        if (Delivered >= target)
        {
            _reached.TrySetResult();
        }

        return _reached.Task;
    }

    public void Increment()
    {
        if (Interlocked.Increment(ref _delivered) == Interlocked.Read(ref _target))
        {
            _reached.TrySetResult();
        }
    }
}
