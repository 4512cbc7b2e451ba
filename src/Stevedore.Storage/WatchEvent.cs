namespace Stevedore.Storage;

public enum WatchEventType
{
    Put,
    Delete,
}

/// <summary>
/// One change. For a put, <see cref="Current"/> holds the new value and
/// <see cref="Previous"/> the old one (null on create). For a delete, <see cref="Current"/>
/// carries the key with the delete's revision as ModRevision and an empty value, and
/// <see cref="Previous"/> the last value.
/// </summary>
public sealed record WatchEvent(WatchEventType Type, KeyValue Current, KeyValue? Previous)
{
    public long Revision => Current.ModRevision;
    public bool IsCreate => Type == WatchEventType.Put && Previous is null;
}
