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
/// One change as watchers see it. The wire frame (<c>{"type":..,"object":..}</c>) is built once
/// and shared by every watcher that receives the event.
/// </summary>
public sealed class CachedEvent(WatchEventKind kind, CachedObject current, CachedObject? previous)
{
    private byte[]? _frame;

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

    public byte[] Frame => _frame ??= BuildFrame(Kind, Object.Json);

    /// <summary>The same change with the object's previous state attached; shares the built frame.</summary>
    public CachedEvent WithPrevious(CachedObject previous) => new(Kind, Object, previous) { _frame = _frame };

    public static byte[] BuildFrame(WatchEventKind kind, ReadOnlySpan<byte> objectJson)
    {
        var head = Encoding.UTF8.GetBytes("{\"type\":\"" + TypeName(kind) + "\",\"object\":");
        var frame = new byte[head.Length + objectJson.Length + 2];
        head.CopyTo(frame, 0);
        objectJson.CopyTo(frame.AsSpan(head.Length));
        frame[^2] = (byte)'}';
        frame[^1] = (byte)'\n';
        return frame;
    }
}
