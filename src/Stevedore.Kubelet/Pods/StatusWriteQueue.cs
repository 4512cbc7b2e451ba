using Microsoft.Extensions.Logging;

namespace Stevedore.Kubelet.Pods;

/// <summary>
/// Background writes keyed by pod, as upstream's status manager sends pod statuses: the caller queues a
/// write and goes on. Per key one write runs at a time and the newest queued write replaces any not yet
/// started, so writes of one pod never overtake each other and a burst of changes costs one write, not
/// many. A failed write is retried with back-off (0.5 s doubling to 10 s) unless a newer one replaced it.
/// Keys are independent.
/// </summary>
internal sealed partial class StatusWriteQueue(TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan RetryInitial = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    /// <summary>Queues <paramref name="write"/> for <paramref name="key"/>, replacing one queued and not started.</summary>
    /// <param name="description">Names the write in the log when it fails.</param>
    /// <param name="cancellationToken">Ends the writer (and its retries) for good, e.g. when the agent stops.</param>
    public void Queue(string key, string description, Func<CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_slots.TryGetValue(key, out var slot))
            {
                _slots[key] = slot = new Slot();
            }

            slot.Pending = (description, write);
            if (!slot.Running)
            {
                slot.Running = true;
                slot.Writer = Task.Run(() => RunAsync(key, slot, cancellationToken), CancellationToken.None);
            }
        }
    }

    /// <summary>Drops the key's queued write and waits for the one in flight (if any) to end; later writes start afresh.</summary>
    public async Task StopAsync(string key)
    {
        Task writer;
        lock (_lock)
        {
            if (!_slots.TryGetValue(key, out var slot))
            {
                return;
            }

            slot.Pending = null;
            writer = slot.Writer;
        }

        await writer.ConfigureAwait(false);
    }

    /// <summary>Completes once the key has nothing queued or in flight (for tests and orderly shutdowns).</summary>
    public async Task WhenIdleAsync(string key)
    {
        while (true)
        {
            Task writer;
            lock (_lock)
            {
                if (!_slots.TryGetValue(key, out var slot))
                {
                    return;
                }

                writer = slot.Writer;
            }

            await writer.ConfigureAwait(false);
        }
    }

    private async Task RunAsync(string key, Slot slot, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (true)
        {
            (string Description, Func<CancellationToken, Task> Write) next;
            lock (_lock)
            {
                if (slot.Pending is not { } pending || cancellationToken.IsCancellationRequested)
                {
                    slot.Running = false;
                    _slots.Remove(key);
                    return;
                }

                next = pending;
                slot.Pending = null;
            }

            try
            {
                await next.Write(cancellationToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping: whoever runs next writes a fresh status.
            }
            catch (Exception ex)
            {
                failures++;
                var delay = TimeSpan.FromTicks(Math.Min(RetryMax.Ticks, RetryInitial.Ticks << Math.Min(failures - 1, 16)));
                LogWriteFailed(logger, next.Description, delay.TotalSeconds, ex.Message);
                lock (_lock)
                {
                    slot.Pending ??= next;
                }

                try
                {
                    await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private sealed class Slot
    {
        public (string Description, Func<CancellationToken, Task> Write)? Pending { get; set; }

        public bool Running { get; set; }

        public Task Writer { get; set; } = Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Description} failed ({Error}); retrying in {Seconds} s")]
    private static partial void LogWriteFailed(ILogger logger, string description, double seconds, string error);
}
