using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Kubelet.Pods;
using Stevedore.Kubelet.Tests.Probes;

namespace Stevedore.Kubelet.Tests.Pods;

public sealed class PodStartupTrackerTests
{
    [Fact]
    public void Reported_AfterEachStep_LogsTheTotalAndEachStepSinceThePrevious()
    {
        var (tracker, time, log) = Create();
        tracker.Seen(Pod("uid-1"));
        foreach (var (step, ms) in new[] { (PodStartupStep.SyncStarted, 3), (PodStartupStep.VolumesReady, 20), (PodStartupStep.SandboxRequested, 1), (PodStartupStep.SandboxReady, 150), (PodStartupStep.ContainerStarted, 60) })
        {
            time.Advance(TimeSpan.FromMilliseconds(ms));
            tracker.Mark("uid-1", step);
        }

        time.Advance(TimeSpan.FromMilliseconds(16));
        tracker.Reported("uid-1", "ns", "web");

        var line = Assert.Single(log.Lines);
        Assert.Equal("Observed pod startup duration ns/web: 250 ms from seen to Running reported (SyncStarted +3 ms, VolumesReady +20 ms, SandboxRequested +1 ms, SandboxReady +150 ms, ContainerStarted +60 ms, RunningReported +16 ms)", line);
        Assert.False(tracker.IsTracking("uid-1"));
    }

    [Fact]
    public void Mark_PerContainerStepTwice_KeepsTheLastOtherStepsKeepTheFirst()
    {
        var (tracker, time, log) = Create();
        tracker.Seen(Pod("uid-1"));
        time.Advance(TimeSpan.FromMilliseconds(10));
        tracker.Mark("uid-1", PodStartupStep.SyncStarted);
        tracker.Mark("uid-1", PodStartupStep.ContainerStarted);
        time.Advance(TimeSpan.FromMilliseconds(30));
        tracker.Mark("uid-1", PodStartupStep.SyncStarted);
        tracker.Mark("uid-1", PodStartupStep.ContainerStarted);
        tracker.Reported("uid-1", "ns", "web");

        Assert.EndsWith("(SyncStarted +10 ms, ContainerStarted +30 ms, RunningReported +0 ms)", Assert.Single(log.Lines));
    }

    [Fact]
    public void Seen_TwiceOrAfterReported_TimesFromTheFirstSightingOnly()
    {
        var (tracker, time, log) = Create();
        tracker.Seen(Pod("uid-1"));
        time.Advance(TimeSpan.FromMilliseconds(40));
        tracker.Seen(Pod("uid-1"));
        time.Advance(TimeSpan.FromMilliseconds(2));
        tracker.Reported("uid-1", "ns", "web");
        tracker.Reported("uid-1", "ns", "web");

        Assert.Contains(": 42 ms from seen", Assert.Single(log.Lines));
    }

    [Fact]
    public void Forget_BeforeRunning_NothingIsLogged()
    {
        var (tracker, _, log) = Create();
        tracker.Seen(Pod("uid-1"));
        tracker.Forget("uid-1");
        tracker.Mark("uid-1", PodStartupStep.SyncStarted);
        tracker.Reported("uid-1", "ns", "web");

        Assert.Empty(log.Lines);
    }

    public static TheoryData<string, V1PodStatus?, bool, bool> Pods => new()
    {
        { "new pod, no status", null, false, true },
        { "pending, container creating", new V1PodStatus { Phase = "Pending", ContainerStatuses = [Waiting("ContainerCreating")] }, false, true },
        { "running already (agent restart)", new V1PodStatus { Phase = "Running", ContainerStatuses = [new V1ContainerStatus { Name = "main", State = new V1ContainerState { Running = new V1ContainerStateRunning() } }] }, false, false },
        { "pending with a container terminated", new V1PodStatus { Phase = "Pending", InitContainerStatuses = [new V1ContainerStatus { Name = "init", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0 } } }] }, false, false },
        { "succeeded", new V1PodStatus { Phase = "Succeeded" }, false, false },
        { "being deleted", null, true, false },
    };

    [Theory]
    [MemberData(nameof(Pods))]
    public void IsStarting_ByStatus_OnlyPodsThatHaveNotRunYet(string description, V1PodStatus? status, bool deleting, bool expected)
    {
        var pod = Pod("uid-1");
        pod.Status = status;
        if (deleting)
        {
            pod.Metadata.DeletionTimestamp = DateTime.UtcNow;
        }

        Assert.True(PodStartupTracker.IsStarting(pod) == expected, description);
    }

    [Fact]
    public void Seen_PodAlreadyRunning_IsNotTracked()
    {
        var (tracker, _, log) = Create();
        var pod = Pod("uid-1");
        pod.Status = new V1PodStatus { Phase = "Running" };
        tracker.Seen(pod);
        tracker.Reported("uid-1", "ns", "web");

        Assert.False(tracker.IsTracking("uid-1"));
        Assert.Empty(log.Lines);
    }

    private static V1ContainerStatus Waiting(string reason) =>
        new() { Name = "main", State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason } } };

    private static V1Pod Pod(string uid) => new() { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "ns", Uid = uid } };

    private static (PodStartupTracker Tracker, ManualTimeProvider Time, RecordingLogger Log) Create()
    {
        var time = new ManualTimeProvider(Builders.T0);
        var log = new RecordingLogger();
        return (new PodStartupTracker(time, log), time, log);
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
