namespace Stevedore.Storage.Sqlite;

/// <summary>
/// In-process fan-out of committed events. The writer publishes each commit here, so
/// watchers see same-process writes without polling. Subscribing and publishing share one
/// lock, which makes the published revision an exact boundary between "read it from the log"
/// and "it will arrive in the buffer".
/// </summary>
internal sealed class WatchHub
{
    private readonly Lock _gate = new();
    private readonly List<WatchSubscription> _subscriptions = [];
    private long _publishedRevision;
    private bool _closed;

    public WatchHub(long publishedRevision) => _publishedRevision = publishedRevision;

    public long PublishedRevision
    {
        get
        {
            lock (_gate)
            {
                return _publishedRevision;
            }
        }
    }

    /// <summary>Registers a watcher; every event after <paramref name="publishedRevision"/> will reach it.</summary>
    public WatchSubscription Subscribe(string prefix, int capacity, out long publishedRevision)
    {
        var subscription = new WatchSubscription(prefix, capacity);
        lock (_gate)
        {
            publishedRevision = _publishedRevision;
            if (_closed)
            {
                subscription.Events.Writer.TryComplete();
            }
            else
            {
                _subscriptions.Add(subscription);
            }
        }

        return subscription;
    }

    public void Unsubscribe(WatchSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }

        subscription.Events.Writer.TryComplete();
    }

    /// <summary>Hands one commit's events, in revision order, to every matching watcher.</summary>
    public void Publish(List<WatchEvent> events, long revision)
    {
        lock (_gate)
        {
            _publishedRevision = revision;
            for (int i = _subscriptions.Count - 1; i >= 0; i--)
            {
                var subscription = _subscriptions[i];
                foreach (var change in events)
                {
                    if (!change.Current.Key.StartsWith(subscription.Prefix, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    if (!subscription.Events.Writer.TryWrite(change))
                    {
                        subscription.Overflowed = true;
                        subscription.Events.Writer.TryComplete();
                        _subscriptions.RemoveAt(i);
                        break;
                    }
                }
            }
        }
    }

    /// <summary>Ends every watch (the store is closing).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            foreach (var subscription in _subscriptions)
            {
                subscription.Events.Writer.TryComplete();
            }

            _subscriptions.Clear();
        }
    }
}
