using Stevedore.Scheduler.Framework;

namespace Stevedore.Scheduler.Tests.Framework;

public class CycleStateTests
{
    [Fact]
    public void TryRead_KeyWrittenTwiceAndAskedWithAnEqualString_LatestValue()
    {
        var state = new CycleState();
        state.Write("PreScoreA", "first");
        state.Write("PreScoreB", "other");
        state.Write(string.Concat("PreScore", "A"), "second");

        var found = state.TryRead<string>(new string("PreScoreA".AsSpan()), out var value);

        Assert.True(found);
        Assert.Equal("second", value);
    }

    [Fact]
    public void TryRead_MissingKeyOrOtherType_False()
    {
        var state = new CycleState();
        state.Write("k", new List<int>());

        Assert.False(state.TryRead<string>("k", out _));
        Assert.False(state.TryRead<string>("missing", out _));
        Assert.True(state.TryRead<List<int>>("k", out var list));
        Assert.Empty(list);
    }
}
