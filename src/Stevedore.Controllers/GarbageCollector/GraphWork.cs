namespace Stevedore.Controllers.GarbageCollector;

/// <summary>UIDs to enqueue after a graph change: for <see cref="OwnerGraph.AttemptToDelete"/> and for <see cref="OwnerGraph.AttemptToOrphan"/>.</summary>
public sealed record GraphWork(IReadOnlyList<string> AttemptToDelete, IReadOnlyList<string> AttemptToOrphan)
{
    public static readonly GraphWork None = new([], []);
}
