using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Util;

namespace Stevedore.Scheduler.Queue;

/// <summary>
/// The pending-pod queue, shaped like upstream's PriorityQueue: an active sub-queue (highest
/// priority first, then oldest), a backoff sub-queue (pods waiting out 1 s, 2 s, 4 s ... 10 s
/// after failed attempts) and an unschedulable sub-queue (pods waiting for a cluster event one
/// of their rejecting plugins cares about, or for the 5-minute flush). Thread-safe.
/// </summary>
public sealed class SchedulingQueue
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly SchedulingQueueOptions _options;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<ClusterEvent>> _pluginEvents;
    private readonly Dictionary<string, QueuedPodInfo> _active = new(StringComparer.Ordinal);
    private readonly SortedSet<QueuedPodInfo> _activeOrder = new(Comparer<QueuedPodInfo>.Create(CompareActive));
    private readonly Dictionary<string, QueuedPodInfo> _backoff = new(StringComparer.Ordinal);
    private readonly SortedSet<QueuedPodInfo> _backoffOrder = new(Comparer<QueuedPodInfo>.Create(CompareBackoff));
    private readonly Dictionary<string, QueuedPodInfo> _unschedulable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueuedPodInfo> _inFlight = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = NewSignal();
    private long _sequence;
    private long _schedulingCycle;
    private long _moveRequestCycle = -1;
    private DateTimeOffset _lastUnschedulableFlush;

    /// <param name="time">The clock (a manual one in tests).</param>
    /// <param name="pluginEvents">Events each plugin registered (<see cref="Profile.PluginEvents"/>); null means every event retries every pod.</param>
    /// <param name="options">Timings; upstream defaults when null.</param>
    public SchedulingQueue(TimeProvider time, IReadOnlyDictionary<string, IReadOnlyList<ClusterEvent>>? pluginEvents = null, SchedulingQueueOptions? options = null)
    {
        _time = time;
        _pluginEvents = pluginEvents ?? new Dictionary<string, IReadOnlyList<ClusterEvent>>();
        _options = options ?? SchedulingQueueOptions.Default;
        _lastUnschedulableFlush = time.GetUtcNow();
    }

    /// <summary>Incremented by every Pop; pass the value seen at Pop to <see cref="AddUnschedulableIfNotPresent"/>.</summary>
    public long SchedulingCycle
    {
        get
        {
            lock (_lock)
            {
                return _schedulingCycle;
            }
        }
    }

    public int ActiveCount
    {
        get
        {
            lock (_lock)
            {
                return _active.Count;
            }
        }
    }

    public int BackoffCount
    {
        get
        {
            lock (_lock)
            {
                return _backoff.Count;
            }
        }
    }

    public int UnschedulableCount
    {
        get
        {
            lock (_lock)
            {
                return _unschedulable.Count;
            }
        }
    }

    /// <summary>Adds a new pending pod to the active sub-queue (or refreshes it wherever it is).</summary>
    public void Add(V1Pod pod)
    {
        lock (_lock)
        {
            var key = pod.Key();
            if (_inFlight.TryGetValue(key, out var flying))
            {
                flying.Pod = pod;
                return;
            }

            var info = TakeLocked(key) ?? new QueuedPodInfo(pod, _time.GetUtcNow());
            info.Pod = pod;
            AddActiveLocked(info);
        }
    }

    /// <summary>
    /// A pending pod changed. An unschedulable pod whose spec or labels changed gets another chance
    /// (to backoff if it is still backing off); otherwise the stored copy is just refreshed.
    /// </summary>
    public void Update(V1Pod oldPod, V1Pod newPod)
    {
        lock (_lock)
        {
            var key = newPod.Key();
            if (_inFlight.TryGetValue(key, out var flying))
            {
                flying.Pod = newPod;
                return;
            }

            if (_active.TryGetValue(key, out var active))
            {
                _activeOrder.Remove(active);
                active.Pod = newPod;
                _activeOrder.Add(active);
                return;
            }

            if (_backoff.TryGetValue(key, out var backing))
            {
                backing.Pod = newPod;
                return;
            }

            if (_unschedulable.TryGetValue(key, out var waiting))
            {
                var changed = !SpecEqual(oldPod, newPod) || !LabelsEqual(oldPod, newPod);
                waiting.Pod = newPod;
                if (changed)
                {
                    _unschedulable.Remove(key);
                    MoveLocked(waiting, _time.GetUtcNow());
                }

                return;
            }

            AddActiveLocked(new QueuedPodInfo(newPod, _time.GetUtcNow()));
        }
    }

    /// <summary>Forgets a pod (deleted, or bound by someone else).</summary>
    public void Delete(V1Pod pod)
    {
        lock (_lock)
        {
            TakeLocked(pod.Key());
            _inFlight.Remove(pod.Key());
        }
    }

    /// <summary>
    /// Takes the next pod to schedule, after moving pods whose backoff ended (and, every 30 s,
    /// pods unschedulable for longer than 5 minutes). False when nothing is active.
    /// </summary>
    public bool TryPop(out QueuedPodInfo? info)
    {
        lock (_lock)
        {
            return TryPopLocked(out info);
        }
    }

    /// <summary>Waits for the next pod to schedule.</summary>
    public async Task<QueuedPodInfo> PopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            TimeSpan? wait;
            lock (_lock)
            {
                if (TryPopLocked(out var info))
                {
                    return info!;
                }

                changed = _changed.Task;
                wait = NextDueLocked();
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(wait ?? Timeout.InfiniteTimeSpan, _time, linked.Token);
            await Task.WhenAny(changed, delay).ConfigureAwait(false);
            await linked.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Puts back a pod whose attempt failed. If a move request (cluster event) happened since
    /// the attempt's cycle began, the event may already have fixed things: the pod goes to backoff.
    /// Otherwise it waits in the unschedulable sub-queue for a relevant event.
    /// </summary>
    /// <param name="info">The popped pod.</param>
    /// <param name="unschedulablePlugins">Plugins that rejected it (<see cref="ScheduleResult.UnschedulablePlugins"/>).</param>
    /// <param name="podSchedulingCycle">The <see cref="SchedulingCycle"/> value right after popping it.</param>
    public void AddUnschedulableIfNotPresent(QueuedPodInfo info, IEnumerable<string> unschedulablePlugins, long podSchedulingCycle)
    {
        lock (_lock)
        {
            var key = info.Key;
            _inFlight.Remove(key);
            if (_active.ContainsKey(key) || _backoff.ContainsKey(key) || _unschedulable.ContainsKey(key))
            {
                return;
            }

            var now = _time.GetUtcNow();
            info.Timestamp = now;
            info.UnschedulablePlugins.Clear();
            info.UnschedulablePlugins.UnionWith(unschedulablePlugins);
            info.BackoffExpiry = now + BackoffDuration(info.Attempts);
            if (_moveRequestCycle >= podSchedulingCycle)
            {
                AddBackoffLocked(info);
            }
            else
            {
                _unschedulable[key] = info;
            }
        }
    }

    /// <summary>Puts back a pod whose attempt hit an error (not a fit problem): straight to backoff.</summary>
    public void AddBackoff(QueuedPodInfo info)
    {
        lock (_lock)
        {
            _inFlight.Remove(info.Key);
            if (_active.ContainsKey(info.Key) || _backoff.ContainsKey(info.Key) || _unschedulable.ContainsKey(info.Key))
            {
                return;
            }

            info.Timestamp = _time.GetUtcNow();
            info.BackoffExpiry = info.Timestamp + BackoffDuration(info.Attempts);
            AddBackoffLocked(info);
        }
    }

    /// <summary>The popped pod was bound (or given up on); stop tracking it.</summary>
    public void Done(QueuedPodInfo info)
    {
        lock (_lock)
        {
            _inFlight.Remove(info.Key);
        }
    }

    /// <summary>
    /// A cluster event happened: every unschedulable pod that one of its rejecting plugins
    /// registered this event for moves to active (or to backoff while its backoff runs).
    /// </summary>
    public void MoveAllToActiveOrBackoff(ClusterEvent evt)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var moved = false;
            foreach (var info in _unschedulable.Values.ToList())
            {
                if (!Interested(info, evt))
                {
                    continue;
                }

                _unschedulable.Remove(info.Key);
                info.LastMoveEvent = evt;
                MoveLocked(info, now);
                moved = true;
            }

            _moveRequestCycle = _schedulingCycle;
            if (moved)
            {
                SignalLocked();
            }
        }
    }

    /// <summary>The backoff after <paramref name="attempts"/> attempts: initial * 2^(attempts-1), at most the maximum.</summary>
    public TimeSpan BackoffDuration(int attempts)
    {
        var duration = _options.InitialBackoff;
        for (var i = 1; i < attempts; i++)
        {
            if (duration >= _options.MaxBackoff)
            {
                break;
            }

            duration += duration;
        }

        return duration > _options.MaxBackoff ? _options.MaxBackoff : duration;
    }

    /// <summary>Moves pods whose backoff is over to the active sub-queue.</summary>
    public void FlushBackoffCompleted()
    {
        lock (_lock)
        {
            FlushBackoffLocked(_time.GetUtcNow());
        }
    }

    /// <summary>Moves pods unschedulable for longer than the limit (5 minutes) to active or backoff.</summary>
    public void FlushUnschedulableLeftover()
    {
        lock (_lock)
        {
            FlushUnschedulableLocked(_time.GetUtcNow());
        }
    }

    /// <summary>Whether a pod (namespace/name) is waiting in any sub-queue or being scheduled.</summary>
    public bool Contains(string podKey)
    {
        lock (_lock)
        {
            return _active.ContainsKey(podKey) || _backoff.ContainsKey(podKey) || _unschedulable.ContainsKey(podKey) || _inFlight.ContainsKey(podKey);
        }
    }

    private bool Interested(QueuedPodInfo info, ClusterEvent evt)
    {
        if (evt.Resource == EventResource.WildCard || info.UnschedulablePlugins.Count == 0)
        {
            return true;
        }

        foreach (var plugin in info.UnschedulablePlugins)
        {
            // A plugin that registered nothing is conservatively interested in everything.
            if (!_pluginEvents.TryGetValue(plugin, out var events))
            {
                return true;
            }

            foreach (var registered in events)
            {
                if (evt.Matches(registered))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool TryPopLocked(out QueuedPodInfo? info)
    {
        var now = _time.GetUtcNow();
        FlushBackoffLocked(now);
        if (now - _lastUnschedulableFlush >= _options.UnschedulableFlushInterval)
        {
            FlushUnschedulableLocked(now);
        }

        if (_activeOrder.Count == 0)
        {
            info = null;
            return false;
        }

        info = _activeOrder.Min!;
        _activeOrder.Remove(info);
        _active.Remove(info.Key);
        info.Attempts++;
        _schedulingCycle++;
        _inFlight[info.Key] = info;
        return true;
    }

    private TimeSpan? NextDueLocked()
    {
        var now = _time.GetUtcNow();
        TimeSpan? next = null;
        if (_backoffOrder.Count > 0)
        {
            next = _backoffOrder.Min!.BackoffExpiry - now;
        }

        if (_unschedulable.Count > 0)
        {
            var flush = _lastUnschedulableFlush + _options.UnschedulableFlushInterval - now;
            next = next is null || flush < next ? flush : next;
        }

        return next is { } n && n < TimeSpan.Zero ? TimeSpan.Zero : next;
    }

    private void FlushBackoffLocked(DateTimeOffset now)
    {
        while (_backoffOrder.Count > 0 && _backoffOrder.Min!.BackoffExpiry <= now)
        {
            var info = _backoffOrder.Min!;
            _backoffOrder.Remove(info);
            _backoff.Remove(info.Key);
            AddActiveLocked(info);
        }
    }

    private void FlushUnschedulableLocked(DateTimeOffset now)
    {
        _lastUnschedulableFlush = now;
        foreach (var info in _unschedulable.Values.ToList())
        {
            if (now - info.Timestamp > _options.MaxInUnschedulablePods)
            {
                _unschedulable.Remove(info.Key);
                info.LastMoveEvent = ClusterEvent.UnschedulableTimeout;
                MoveLocked(info, now);
            }
        }
    }

    private void MoveLocked(QueuedPodInfo info, DateTimeOffset now)
    {
        if (info.BackoffExpiry > now)
        {
            AddBackoffLocked(info);
        }
        else
        {
            AddActiveLocked(info);
        }
    }

    private void AddActiveLocked(QueuedPodInfo info)
    {
        info.Sequence = ++_sequence;
        _active[info.Key] = info;
        _activeOrder.Add(info);
        SignalLocked();
    }

    private void AddBackoffLocked(QueuedPodInfo info)
    {
        info.Sequence = ++_sequence;
        _backoff[info.Key] = info;
        _backoffOrder.Add(info);
        SignalLocked();
    }

    private QueuedPodInfo? TakeLocked(string key)
    {
        if (_active.Remove(key, out var info))
        {
            _activeOrder.Remove(info);
            return info;
        }

        if (_backoff.Remove(key, out info))
        {
            _backoffOrder.Remove(info);
            return info;
        }

        return _unschedulable.Remove(key, out info) ? info : null;
    }

    private void SignalLocked()
    {
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Informer copies are fresh objects, so compare content; status-only updates must not reset the wait.
    private static bool SpecEqual(V1Pod a, V1Pod b) =>
        ReferenceEquals(a.Spec, b.Spec) || k8s.KubernetesJson.Serialize(a.Spec) == k8s.KubernetesJson.Serialize(b.Spec);

    private static bool LabelsEqual(V1Pod a, V1Pod b)
    {
        var la = a.Metadata?.Labels;
        var lb = b.Metadata?.Labels;
        if (la is null || lb is null)
        {
            return (la?.Count ?? 0) == (lb?.Count ?? 0);
        }

        return la.Count == lb.Count && la.All(kv => lb.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    // Higher priority first, then the earlier timestamp, then insertion order.
    private static int CompareActive(QueuedPodInfo? a, QueuedPodInfo? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        var byPriority = b!.Pod.Priority().CompareTo(a!.Pod.Priority());
        if (byPriority != 0)
        {
            return byPriority;
        }

        var byTime = a.Timestamp.CompareTo(b.Timestamp);
        return byTime != 0 ? byTime : a.Sequence.CompareTo(b.Sequence);
    }

    private static int CompareBackoff(QueuedPodInfo? a, QueuedPodInfo? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        var byExpiry = a!.BackoffExpiry.CompareTo(b!.BackoffExpiry);
        return byExpiry != 0 ? byExpiry : a.Sequence.CompareTo(b.Sequence);
    }
}
