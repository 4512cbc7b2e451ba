using k8s;
using k8s.Models;

namespace Stevedore.Client.Resources;

/// <summary>
/// One event of a watch stream. <see cref="Object"/> is set for ADDED, MODIFIED, DELETED and
/// BOOKMARK (a bookmark carries only metadata.resourceVersion); <see cref="Status"/> for ERROR.
/// </summary>
public sealed record WatchEvent<T>(WatchEventType Type, T? Object, V1Status? Status)
    where T : class
{
    /// <summary>An ERROR event saying the requested resourceVersion is too old (410 Gone / Expired): relist.</summary>
    public bool IsExpired => Type == WatchEventType.Error && (Status?.Code == 410 || Status?.Reason is "Expired" or "Gone");
}
