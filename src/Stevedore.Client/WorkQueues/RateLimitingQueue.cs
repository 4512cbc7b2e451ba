using Stevedore.Client.Cache;

namespace Stevedore.Client.WorkQueues;

/// <summary>
/// The work queue of a controller (upstream workqueue: basic + delaying + rate limiting).
/// An item is queued at most once however often it is added; an item being processed (between
/// <see cref="GetAsync"/> and <see cref="Done"/>) is never handed to a second worker, and if it
/// was added meanwhile it is queued again on <see cref="Done"/>. Delays use the injected
/// <see cref="TimeProvider"/>.
/// </summary>
public sealed class RateLimitingQueue<T> : IDisposable
    where T : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<T> _queue = new();
    private readonly HashSet<T> _dirty = [];
    private readonly HashSet<T> _processing = [];
    private readonly Dictionary<T, DateTimeOffset> _waiting = [];
    private readonly PriorityQueue<T, DateTimeOffset> _waitingByTime = new();
    private readonly AsyncSignal _signal = new();
    private readonly IRateLimiter<T> _rateLimiter;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private bool _shuttingDown;

    /// <param name="rateLimiter">Defaults to <see cref="RateLimiters.DefaultController{T}"/>.</param>
    public RateLimitingQueue(IRateLimiter<T>? rateLimiter = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _rateLimiter = rateLimiter ?? RateLimiters.DefaultController<T>(_time);
        _timer = _time.CreateTimer(_ => MoveReadyItems(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Items ready to be handed out (not counting delayed or in-process ones).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    public bool ShuttingDown
    {
        get
        {
            lock (_lock)
            {
                return _shuttingDown;
            }
        }
    }

    /// <summary>Queues the item unless it is already queued (or, while processing, marks it to be re-queued).</summary>
    public void Add(T item)
    {
        lock (_lock)
        {
            AddLocked(item);
        }
    }

    /// <summary>Queues the item after <paramref name="delay"/>; an earlier pending time for the same item wins.</summary>
    public void AddAfter(T item, TimeSpan delay)
    {
        lock (_lock)
        {
            if (_shuttingDown)
            {
                return;
            }

            if (delay <= TimeSpan.Zero)
            {
                AddLocked(item);
                return;
            }

            var readyAt = _time.GetUtcNow() + delay;
            if (_waiting.TryGetValue(item, out var existing) && existing <= readyAt)
            {
                return;
            }

            _waiting[item] = readyAt;
            _waitingByTime.Enqueue(item, readyAt);
            ArmTimerLocked();
        }
    }

    /// <summary>Queues the item when its rate limiter allows (a failed item's retry).</summary>
    public void AddRateLimited(T item) => AddAfter(item, _rateLimiter.When(item));

    /// <summary>Clears the item's failure history (call after it succeeded). It does not dequeue it.</summary>
    public void Forget(T item) => _rateLimiter.Forget(item);

    public int NumRequeues(T item) => _rateLimiter.NumRequeues(item);

    /// <summary>
    /// Waits for an item and marks it as processing; call <see cref="Done"/> when finished.
    /// ShuttingDown is true (and Item meaningless) once the queue is shut down and drained.
    /// </summary>
    public async ValueTask<(T Item, bool ShuttingDown)> GetAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_queue.TryDequeue(out var item))
                {
                    _processing.Add(item);
                    _dirty.Remove(item);
                    return (item, false);
                }

                if (_shuttingDown)
                {
                    return (default!, true);
                }

                wait = _signal.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends processing of the item; if it was added meanwhile it is queued again now.</summary>
    public void Done(T item)
    {
        lock (_lock)
        {
            _processing.Remove(item);
            if (_dirty.Contains(item))
            {
                _queue.Enqueue(item);
                _signal.Pulse();
            }
        }
    }

    /// <summary>Stops accepting items; workers drain what is queued, then get ShuttingDown.</summary>
    public void ShutDown()
    {
        lock (_lock)
        {
            _shuttingDown = true;
            _waiting.Clear();
            _waitingByTime.Clear();
            _signal.Pulse();
        }
    }

    public void Dispose()
    {
        ShutDown();
        _timer.Dispose();
    }

    private void AddLocked(T item)
    {
        if (_shuttingDown || !_dirty.Add(item))
        {
            return;
        }

        if (_processing.Contains(item))
        {
            // Done re-queues it, so it is never handed to two workers at once.
            return;
        }

        _queue.Enqueue(item);
        _signal.Pulse();
    }

    private void MoveReadyItems()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            while (_waitingByTime.TryPeek(out var item, out var readyAt) && readyAt <= now)
            {
                _waitingByTime.Dequeue();

                // Skip stale heap entries left behind when an item was rescheduled earlier.
                if (_waiting.TryGetValue(item, out var current) && current == readyAt)
                {
                    _waiting.Remove(item);
                    AddLocked(item);
                }
            }

            ArmTimerLocked();
        }
    }

    private void ArmTimerLocked()
    {
        if (_waitingByTime.TryPeek(out _, out var next))
        {
            var due = next - _time.GetUtcNow();
            _timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
        }
    }
}
