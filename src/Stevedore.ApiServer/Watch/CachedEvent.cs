using System.Text;

namespace Stevedore.ApiServer.Watch;

public enum WatchEventKind
{
    Added,
    Modified,
    Deleted,
    Bookmark,
    Error,
}

/// <summary>
/// One change as watchers see it. Its wire frame (<c>{"type":..,"object":..}</c>) is written in
/// three pieces — a constant head per event type, the cached object's JSON, a constant tail — so
/// no event holds a second copy of its object (the history keeps thousands of events).
/// </summary>
public sealed class CachedEvent(WatchEventKind kind, CachedObject current, CachedObject? previous)
{
    private static readonly byte[][] Heads = [.. Enum.GetValues<WatchEventKind>().Select(k => Encoding.UTF8.GetBytes("{\"type\":\"" + TypeName(k) + "\",\"object\":"))];

    private static readonly byte[] Tail = "}\n"u8.ToArray();

    public WatchEventKind Kind { get; } = kind;
    public CachedObject Object { get; } = current;
    public CachedObject? Previous { get; } = previous;
    public long Revision => Object.Revision;

    public static string TypeName(WatchEventKind kind) => kind switch
    {
        WatchEventKind.Added => "ADDED",
        WatchEventKind.Modified => "MODIFIED",
        WatchEventKind.Deleted => "DELETED",
        WatchEventKind.Bookmark => "BOOKMARK",
        _ => "ERROR",
    };

    /// <summary>Writes the event's frame (without flushing).</summary>
    public async ValueTask WriteFrameAsync(Stream stream, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Heads[(int)Kind], cancellationToken);
        await stream.WriteAsync(Object.Json, cancellationToken);
        await stream.WriteAsync(Tail, cancellationToken);
    }

    /// <summary>The same change with the object's previous state attached.</summary>
    public CachedEvent WithPrevious(CachedObject previous) => new(Kind, Object, previous);

    /// <summary>The frame of an event that is not cached (errors, bookmarks, tables), in one piece.</summary>
    public static byte[] BuildFrame(WatchEventKind kind, ReadOnlySpan<byte> objectJson)
    {
        var head = Heads[(int)kind];
        var frame = new byte[head.Length + objectJson.Length + Tail.Length];
        head.CopyTo(frame, 0);
        objectJson.CopyTo(frame.AsSpan(head.Length));
        Tail.CopyTo(frame, head.Length + objectJson.Length);
        return frame;
    }
}
