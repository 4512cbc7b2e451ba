using System.Threading.Channels;

namespace Stevedore.ApiServer.Watch;

/// <summary>
/// One client's watch: a queue of events already filtered for it. A watcher that falls too
/// far behind is closed with <see cref="Overflowed"/> set instead of slowing the others.
/// </summary>
public sealed class Watcher : IDisposable
{
    /// <summary>Live events a watcher may have queued before it is dropped.</summary>
    public const int MaxPendingEvents = WatchCache.HistoryCapacity + 2048;

    private readonly Channel<CachedEvent> _events = Channel.CreateUnbounded<CachedEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<Watcher> _unregister;
    private int _pending;
    private int _limit = MaxPendingEvents;
    private int _disposed;

    internal Watcher(WatchFilter filter, Action<Watcher> unregister)
    {
        Filter = filter;
        _unregister = unregister;
    }

    public WatchFilter Filter { get; }

    /// <summary>True when the watcher was dropped because it could not keep up.</summary>
    public bool Overflowed { get; private set; }

    public ChannelReader<CachedEvent> Events => _events.Reader;

    /// <summary>Queues initial state without counting it against the live-event limit.</summary>
    internal void EnqueueInitial(CachedEvent e)
    {
        Interlocked.Increment(ref _pending);
        Interlocked.Increment(ref _limit);
        _events.Writer.TryWrite(e);
    }

    /// <summary>Called under the cache lock for every change; filters and queues.</summary>
    internal void Offer(CachedEvent e)
    {
        var matchesNow = e.Kind != WatchEventKind.Deleted && Filter.Matches(e.Object);
        var matchedBefore = e.Previous is not null && Filter.Matches(e.Previous);
        CachedEvent? delivered = e.Kind switch
        {
            WatchEventKind.Added => matchesNow ? e : null,
            WatchEventKind.Modified when matchesNow && matchedBefore => e,
            WatchEventKind.Modified when matchesNow => new CachedEvent(WatchEventKind.Added, e.Object, null),
            WatchEventKind.Modified when matchedBefore => new CachedEvent(WatchEventKind.Deleted, e.Object, null),
            WatchEventKind.Deleted when Filter.Matches(e.Object) => e,
            _ => null,
        };
        if (delivered is null)
        {
            return;
        }

        if (Interlocked.Increment(ref _pending) > Volatile.Read(ref _limit))
        {
            Overflowed = true;
            _events.Writer.TryComplete();
            return;
        }

        _events.Writer.TryWrite(delivered);
    }

    /// <summary>The consumer acknowledges one delivered event.</summary>
    public void Consumed() => Interlocked.Decrement(ref _pending);

    internal void Close() => _events.Writer.TryComplete();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _events.Writer.TryComplete();
            _unregister(this);
        }
    }
}
