using System.Threading.Channels;

namespace Stevedore.Storage.Sqlite;

/// <summary>
/// One watcher's buffer of committed events. When the watcher falls further behind than the
/// buffer holds, the hub drops it and marks it <see cref="Overflowed"/>; the watcher then
/// catches up from the log, so a slow reader never stalls the writer or loses events.
/// </summary>
internal sealed class WatchSubscription(string prefix, int capacity)
{
    public string Prefix { get; } = prefix;

    public Channel<WatchEvent> Events { get; } = Channel.CreateBounded<WatchEvent>(
        new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    public volatile bool Overflowed;
}
