namespace Stevedore.Storage.Tests;

public sealed class PeriodicCompactorTests
{
    [Theory]
    [InlineData(100, 5000, 1000, 0, 100)] // one interval of history stays: compact to last run's revision
    [InlineData(4500, 5000, 1000, 0, 4000)] // but never closer than the retained revisions
    [InlineData(100, 5000, 1000, 100, 0)] // already compacted there
    [InlineData(100, 5000, 1000, 250, 0)] // someone else compacted further
    [InlineData(0, 10, 1000, 0, 0)] // young store: nothing to compact
    public void Target_Revisions_PicksCompactionPoint(long atLastRun, long current, long retained, long compacted, long expected)
    {
        Assert.Equal(expected, PeriodicCompactor.Target(atLastRun, current, retained, compacted));
    }
}
