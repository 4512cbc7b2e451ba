using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Queue;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests.Queue;

public class SchedulingQueueTests
{
    private readonly ManualClock _clock = new();

    private SchedulingQueue NewQueue() => new(_clock, Profile.CreateDefault().PluginEvents());

    private static List<string> Drain(SchedulingQueue q)
    {
        var names = new List<string>();
        while (q.TryPop(out var info))
        {
            names.Add(info!.Pod.Metadata.Name);
        }

        return names;
    }

    /// <summary>Pops the only pod and fails it with the given rejecting plugins.</summary>
    private static QueuedPodInfo PopAndFail(SchedulingQueue q, params string[] plugins)
    {
        Assert.True(q.TryPop(out var info));
        q.AddUnschedulableIfNotPresent(info!, plugins, q.SchedulingCycle);
        return info!;
    }

    [Fact]
    public void TryPop_MixedPriorities_HighestFirstThenOldest()
    {
        var q = NewQueue();
        q.Add(Make.Pod("low").Priority(0));
        _clock.Advance(TimeSpan.FromSeconds(1));
        q.Add(Make.Pod("high-old").Priority(100));
        _clock.Advance(TimeSpan.FromSeconds(1));
        q.Add(Make.Pod("mid").Priority(50));
        _clock.Advance(TimeSpan.FromSeconds(1));
        q.Add(Make.Pod("high-new").Priority(100));

        Assert.Equal(["high-old", "high-new", "mid", "low"], Drain(q));
    }

    [Fact]
    public void TryPop_SameInstant_InsertionOrder()
    {
        var q = NewQueue();
        foreach (var name in new[] { "c", "a", "b" })
        {
            q.Add(Make.Pod(name));
        }

        Assert.Equal(["c", "a", "b"], Drain(q));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 8)]
    [InlineData(5, 10)]
    [InlineData(12, 10)]
    public void BackoffDuration_Attempts_DoublesUpToMax(int attempts, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), NewQueue().BackoffDuration(attempts));
    }

    [Fact]
    public void AddUnschedulableIfNotPresent_NoEventSinceAttempt_WaitsInUnschedulable()
    {
        var q = NewQueue();
        q.Add(Make.Pod("p"));

        PopAndFail(q, "NodeResourcesFit");

        Assert.Equal(1, q.UnschedulableCount);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(q.TryPop(out _));
    }

    [Fact]
    public void AddUnschedulableIfNotPresent_EventDuringAttempt_GoesToBackoff()
    {
        var q = NewQueue();
        q.Add(Make.Pod("p"));
        Assert.True(q.TryPop(out var info));
        var cycle = q.SchedulingCycle;

        q.MoveAllToActiveOrBackoff(ClusterEvent.NodeAdd);
        q.AddUnschedulableIfNotPresent(info!, ["NodeResourcesFit"], cycle);

        Assert.Equal(1, q.BackoffCount);
        Assert.False(q.TryPop(out _));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(q.TryPop(out var again));
        Assert.Equal(2, again!.Attempts);
    }

    [Fact]
    public void AddBackoff_Error_RetriedAfterBackoffOnly()
    {
        var q = NewQueue();
        q.Add(Make.Pod("p"));
        Assert.True(q.TryPop(out var info));

        q.AddBackoff(info!);
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(q.TryPop(out _));
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(q.TryPop(out _));
    }

    [Theory]
    [InlineData("NodeResourcesFit", "AssignedPodDelete", true)]
    [InlineData("NodeResourcesFit", "NodeAdd", true)]
    [InlineData("NodeResourcesFit", "NodeLabelChange", false)]
    [InlineData("NodeAffinity", "NodeLabelChange", true)]
    [InlineData("NodeAffinity", "AssignedPodDelete", false)]
    [InlineData("TaintToleration", "NodeTaintChange", true)]
    [InlineData("TaintToleration", "NodeAllocatableChange", false)]
    [InlineData("InterPodAffinity", "AssignedPodAdd", true)]
    [InlineData("NodePorts", "AssignedPodDelete", true)]
    [InlineData("NodePorts", "NodeTaintChange", false)]
    [InlineData("", "NodeConditionChange", true)]
    [InlineData("NodeAffinity", "ForceActivate", true)]
    public void MoveAllToActiveOrBackoff_Event_MovesOnlyInterestedPods(string plugin, string eventLabel, bool moves)
    {
        var evt = typeof(ClusterEvent).GetProperty(eventLabel)!.GetValue(null) is ClusterEvent e ? e : throw new ArgumentException(eventLabel);
        var q = NewQueue();
        q.Add(Make.Pod("p"));
        PopAndFail(q, plugin.Length == 0 ? [] : [plugin]);
        _clock.Advance(TimeSpan.FromSeconds(30));

        q.MoveAllToActiveOrBackoff(evt);

        Assert.Equal(moves, q.TryPop(out _));
        Assert.Equal(moves ? 0 : 1, q.UnschedulableCount);
    }

    [Fact]
    public void MoveAllToActiveOrBackoff_StillBackingOff_WaitsInBackoff()
    {
        var q = NewQueue();
        q.Add(Make.Pod("p"));
        PopAndFail(q, "NodeResourcesFit");

        q.MoveAllToActiveOrBackoff(ClusterEvent.AssignedPodDelete);

        Assert.Equal(1, q.BackoffCount);
        Assert.False(q.TryPop(out _));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(q.TryPop(out _));
    }

    [Fact]
    public void TryPop_UnschedulableForFiveMinutes_FlushedWithoutEvent()
    {
        var q = NewQueue();
        q.Add(Make.Pod("p"));
        PopAndFail(q, "NodeAffinity");

        _clock.Advance(TimeSpan.FromMinutes(4));
        Assert.False(q.TryPop(out _));
        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(31));

        Assert.True(q.TryPop(out var info));
        Assert.Equal("p", info!.Pod.Metadata.Name);
    }

    [Fact]
    public void Update_UnschedulablePodSpecChanged_GetsAnotherChance()
    {
        var q = NewQueue();
        var old = Make.Pod("p").NodeSelector("disk", "ssd").Build();
        q.Add(old);
        PopAndFail(q, "NodeAffinity");
        _clock.Advance(TimeSpan.FromSeconds(5));

        q.Update(old, Make.Pod("p").NodeSelector("disk", "hdd"));

        Assert.True(q.TryPop(out var info));
        Assert.Equal("hdd", info!.Pod.Spec.NodeSelector["disk"]);
    }

    [Fact]
    public void Update_UnschedulablePodStatusOnly_StaysWaiting()
    {
        var q = NewQueue();
        var old = Make.Pod("p").NodeSelector("disk", "ssd").Build();
        q.Add(old);
        PopAndFail(q, "NodeAffinity");
        var updated = Make.Pod("p").NodeSelector("disk", "ssd").Build();
        updated.Status.Conditions = [new k8s.Models.V1PodCondition { Type = "PodScheduled", Status = "False" }];

        q.Update(old, updated);

        Assert.False(q.TryPop(out _));
        Assert.Equal(1, q.UnschedulableCount);
    }

    [Fact]
    public void Delete_PodInAnySubQueue_Forgotten()
    {
        var q = NewQueue();
        var waiting = Make.Pod("waiting").Build();
        q.Add(waiting);
        PopAndFail(q, "NodeAffinity");
        q.Add(Make.Pod("active"));

        q.Delete(waiting);
        q.Delete(Make.Pod("active"));

        Assert.False(q.Contains("default/waiting"));
        Assert.False(q.TryPop(out _));
    }

    [Fact]
    public async Task PopAsync_PodAddedLater_ReturnsIt()
    {
        var q = NewQueue();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var pending = q.PopAsync(cts.Token);
        Assert.False(pending.IsCompleted);
        q.Add(Make.Pod("late"));
        var info = await pending;

        Assert.Equal("late", info.Pod.Metadata.Name);
        Assert.Equal(1, info.Attempts);
    }

    [Fact]
    public async Task PopAsync_Cancelled_Throws()
    {
        var q = NewQueue();
        using var cts = new CancellationTokenSource();

        var pending = q.PopAsync(cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }
}
