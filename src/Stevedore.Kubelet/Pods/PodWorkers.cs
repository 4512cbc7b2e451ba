using Microsoft.Extensions.Logging;

namespace Stevedore.Kubelet.Pods;

/// <summary>What a pod's sync asks of its worker afterwards.</summary>
public readonly record struct SyncOutcome(TimeSpan? RequeueAfter, bool Finished)
{
    /// <summary>Nothing pending: the next change or the periodic resync brings the pod back.</summary>
    public static SyncOutcome Idle => new(null, false);

    /// <summary>The runtime or the pod's reasons changed: sync again at once to report it.</summary>
    public static SyncOutcome Again => new(TimeSpan.Zero, false);

    /// <summary>The pod is gone and cleaned up: its worker can be dropped.</summary>
    public static SyncOutcome Done => new(null, true);

    public static SyncOutcome After(TimeSpan delay) => new(delay, false);
}

/// <summary>
/// One worker per pod: syncs of the same pod never overlap (a request during a sync runs right
/// after it, coalesced), syncs of different pods run independently, so a pod whose sync waits for
/// a grace period or a slow pull never delays another. A failing sync is retried with back-off.
/// </summary>
internal sealed partial class PodWorkers(Func<string, CancellationToken, Task<SyncOutcome>> sync, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    private static readonly TimeSpan FailureBackoffInitial = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan FailureBackoffMax = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Worker> _workers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private bool _stopped;

    /// <summary>The pods that have a worker (running, pending or waiting for a timer).</summary>
    public IReadOnlyCollection<string> Pods
    {
        get
        {
            lock (_lock)
            {
                return [.. _workers.Keys];
            }
        }
    }

    /// <summary>Syncs the pod as soon as possible (after its current sync, if one runs).</summary>
    public void Enqueue(string uid)
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            if (!_workers.TryGetValue(uid, out var worker))
            {
                _workers[uid] = worker = new Worker();
            }

            if (worker.Running)
            {
                worker.Pending = true;
                return;
            }

            worker.Running = true;
            worker.Task = Task.Run(() => RunAsync(uid, worker), CancellationToken.None);
        }
    }

    /// <summary>Syncs the pod after <paramref name="delay"/>, unless an earlier timer is already set.</summary>
    public void EnqueueAfter(string uid, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Enqueue(uid);
            return;
        }

        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            if (!_workers.TryGetValue(uid, out var worker))
            {
                _workers[uid] = worker = new Worker();
            }

            var due = time.GetUtcNow() + delay;
            if (worker.Timer is not null && worker.TimerDue <= due)
            {
                return;
            }

            worker.Timer?.Dispose();
            worker.TimerDue = due;
            worker.Timer = time.CreateTimer(_ => FireTimer(uid), null, delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Stops starting syncs and waits for the running ones to end (they are cancelled).</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_lock)
        {
            _stopped = true;
            foreach (var worker in _workers.Values)
            {
                worker.Timer?.Dispose();
            }

            running = [.. _workers.Values.Select(w => w.Task).OfType<Task>()];
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(running).ConfigureAwait(false);
        _stop.Dispose();
    }

    private void FireTimer(string uid)
    {
        lock (_lock)
        {
            if (_workers.TryGetValue(uid, out var worker))
            {
                worker.Timer?.Dispose();
                worker.Timer = null;
            }
        }

        Enqueue(uid);
    }

    private async Task RunAsync(string uid, Worker worker)
    {
        while (true)
        {
            SyncOutcome outcome;
            lock (_lock)
            {
                worker.Pending = false;
            }

            try
            {
                outcome = await sync(uid, _stop.Token).ConfigureAwait(false);
                worker.Failures = 0;
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                // Stopping: whatever the sync was doing ends here; the next agent picks the pod up.
                outcome = SyncOutcome.Idle;
            }
            catch (Exception ex)
            {
                // A broken pod is logged and retried later; it never stops the agent or other pods.
                worker.Failures++;
                var delay = TimeSpan.FromTicks(Math.Min(FailureBackoffMax.Ticks, FailureBackoffInitial.Ticks << Math.Min(worker.Failures - 1, 16)));
                LogSyncFailed(logger, uid, delay.TotalSeconds, ex);
                outcome = SyncOutcome.After(delay);
            }

            lock (_lock)
            {
                if (outcome.RequeueAfter == TimeSpan.Zero && !_stopped)
                {
                    worker.Pending = true;
                }

                if (worker.Pending && !_stopped)
                {
                    continue;
                }

                worker.Running = false;
                worker.Task = null;
                if (outcome.Finished && worker.Timer is null)
                {
                    _workers.Remove(uid);
                    return;
                }
            }

            if (outcome.RequeueAfter is { } after && after > TimeSpan.Zero)
            {
                EnqueueAfter(uid, after);
            }

            return;
        }
    }

    private sealed class Worker
    {
        public bool Running { get; set; }

        public bool Pending { get; set; }

        public Task? Task { get; set; }

        public ITimer? Timer { get; set; }

        public DateTimeOffset TimerDue { get; set; }

        public int Failures { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync of pod {Uid} failed; retrying in {Seconds} s")]
    private static partial void LogSyncFailed(ILogger logger, string uid, double seconds, Exception exception);
}
