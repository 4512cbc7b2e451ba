using k8s.Models;

namespace Stevedore.HollowNodes.Tests.Unit;

public sealed class PodLifecycleTests
{
    [Fact]
    public void Plan_NewPod_RunningAndReadyWithAddressesAndContainerStatuses()
    {
        var pod = Pods.New(containers: 2, init: true);

        var plan = PodLifecycle.Plan(pod, Pods.Context(Pods.T0));

        var s = Assert.IsType<V1PodStatus>(plan.NewStatus);
        Assert.Equal("Running", s.Phase);
        Assert.Equal("127.1.0.1", s.HostIP);
        Assert.Equal("10.244.0.2", s.PodIP);
        Assert.Equal("10.244.0.2", Assert.Single(s.PodIPs).Ip);
        Assert.Equal(Pods.T0, s.StartTime);
        Assert.Equal("BestEffort", s.QosClass);
        foreach (var type in new[] { "PodScheduled", "Initialized", "ContainersReady", "Ready", "PodReadyToStartContainers" })
        {
            Assert.Equal("True", Assert.Single(s.Conditions, c => c.Type == type).Status);
        }

        Assert.Equal(["c0", "c1"], s.ContainerStatuses.Select(c => c.Name));
        Assert.All(s.ContainerStatuses, c =>
        {
            Assert.True(c.Ready);
            Assert.True(c.Started);
            Assert.Equal(0, c.RestartCount);
            Assert.Equal(Pods.T0, c.State.Running.StartedAt);
            Assert.Equal("nginx:1.27", c.Image);
            Assert.StartsWith("hollow://sha256:", c.ImageID, StringComparison.Ordinal);
            Assert.Equal("hollow://uid-1-" + c.Name, c.ContainerID);
        });
        var init = Assert.Single(s.InitContainerStatuses);
        Assert.Equal("Completed", init.State.Terminated.Reason);
        Assert.Equal(0, init.State.Terminated.ExitCode);
        Assert.Null(plan.RecheckAfter);
        Assert.Equal(2, plan.Events.Count(e => e.Reason == "Started"));
    }

    [Fact]
    public void Plan_RunningPodWithoutScript_Nothing()
    {
        var pod = Pods.New();
        var running = Pods.With(pod, PodLifecycle.Plan(pod, Pods.Context(Pods.T0)));

        var plan = PodLifecycle.Plan(running, Pods.Context(Pods.T0.AddHours(1)));

        Assert.Same(PodPlan.Nothing, plan);
    }

    [Fact]
    public void Plan_ScriptedPodBeforeRunTime_RechecksWhenDue()
    {
        var pod = Pods.New(exitCode: "0", runSeconds: "30");
        var first = PodLifecycle.Plan(pod, Pods.Context(Pods.T0));
        Assert.Equal(TimeSpan.FromSeconds(30), first.RecheckAfter);

        var plan = PodLifecycle.Plan(Pods.With(pod, first), Pods.Context(Pods.T0.AddSeconds(10)));

        Assert.Null(plan.NewStatus);
        Assert.Equal(TimeSpan.FromSeconds(20), plan.RecheckAfter);
    }

    [Theory]
    [InlineData("Never", "0", "Succeeded", "Completed")]
    [InlineData("Never", "3", "Failed", "Error")]
    [InlineData("OnFailure", "0", "Succeeded", "Completed")]
    public void Plan_ExitWithoutRestart_TerminalPhase(string restartPolicy, string exitCode, string phase, string reason)
    {
        var pod = Pods.New(restartPolicy, exitCode, "5");
        var running = Pods.With(pod, PodLifecycle.Plan(pod, Pods.Context(Pods.T0)));

        var plan = PodLifecycle.Plan(running, Pods.Context(Pods.T0.AddSeconds(5)));

        var s = Assert.IsType<V1PodStatus>(plan.NewStatus);
        Assert.Equal(phase, s.Phase);
        var c = Assert.Single(s.ContainerStatuses);
        Assert.False(c.Ready);
        Assert.Equal(int.Parse(exitCode, System.Globalization.CultureInfo.InvariantCulture), c.State.Terminated.ExitCode);
        Assert.Equal(reason, c.State.Terminated.Reason);
        Assert.Equal(Pods.T0.AddSeconds(5), c.State.Terminated.FinishedAt);
        Assert.Equal("PodCompleted", Assert.Single(s.Conditions, x => x.Type == "Ready").Reason);
        Assert.Null(plan.RecheckAfter);
        Assert.Same(PodPlan.Nothing, PodLifecycle.Plan(Pods.With(running, plan), Pods.Context(Pods.T0.AddHours(1))));
    }

    [Theory]
    [InlineData("Always", "0")]
    [InlineData("Always", "1")]
    [InlineData("OnFailure", "2")]
    public void Plan_ExitWithRestart_CrashLoopBackOffThenRunsAgain(string restartPolicy, string exitCode)
    {
        var pod = Pods.New(restartPolicy, exitCode);
        var running = Pods.With(pod, PodLifecycle.Plan(pod, Pods.Context(Pods.T0)));

        var crash = PodLifecycle.Plan(running, Pods.Context(Pods.T0));
        var s = Assert.IsType<V1PodStatus>(crash.NewStatus);
        Assert.Equal("Running", s.Phase);
        var c = Assert.Single(s.ContainerStatuses);
        Assert.Equal(1, c.RestartCount);
        Assert.Equal("CrashLoopBackOff", c.State.Waiting.Reason);
        Assert.Contains("back-off 10s", c.State.Waiting.Message, StringComparison.Ordinal);
        Assert.Equal(int.Parse(exitCode, System.Globalization.CultureInfo.InvariantCulture), c.LastState.Terminated.ExitCode);
        Assert.Equal("False", Assert.Single(s.Conditions, x => x.Type == "Ready").Status);
        Assert.Equal(TimeSpan.FromSeconds(10), crash.RecheckAfter);
        Assert.Contains(crash.Events, e => e.Reason == "BackOff" && e.Type == "Warning");

        var crashed = Pods.With(running, crash);
        var early = PodLifecycle.Plan(crashed, Pods.Context(Pods.T0.AddSeconds(4)));
        Assert.Null(early.NewStatus);
        Assert.Equal(TimeSpan.FromSeconds(6), early.RecheckAfter);

        var restart = PodLifecycle.Plan(crashed, Pods.Context(Pods.T0.AddSeconds(10)));
        var r = Assert.Single(Assert.IsType<V1PodStatus>(restart.NewStatus).ContainerStatuses);
        Assert.Equal(1, r.RestartCount);
        Assert.True(r.Ready);
        Assert.Equal(Pods.T0.AddSeconds(10), r.State.Running.StartedAt);
        Assert.NotNull(r.LastState.Terminated);

        var second = PodLifecycle.Plan(Pods.With(crashed, restart), Pods.Context(Pods.T0.AddSeconds(10)));
        Assert.Equal(2, Assert.Single(second.NewStatus!.ContainerStatuses).RestartCount);
        Assert.Equal(TimeSpan.FromSeconds(20), second.RecheckAfter);
    }

    [Theory]
    [InlineData("Never", 0, false)]
    [InlineData("Never", 1, false)]
    [InlineData("OnFailure", 0, false)]
    [InlineData("OnFailure", 1, true)]
    [InlineData("Always", 0, true)]
    [InlineData("Always", 137, true)]
    [InlineData(null, 0, true)]
    public void Restarts_PolicyAndExitCode_AsKubelet(string? policy, int exitCode, bool expected) =>
        Assert.Equal(expected, PodLifecycle.Restarts(policy, exitCode));

    [Fact]
    public void Plan_Restarted_TransitionTimeOfUnchangedConditionKept()
    {
        var pod = Pods.New();
        var running = Pods.With(pod, PodLifecycle.Plan(pod, Pods.Context(Pods.T0)));
        running.Status.PodIP = null;   // forces a rewrite, as after a lost write

        var plan = PodLifecycle.Plan(running, Pods.Context(Pods.T0.AddMinutes(3)));

        Assert.Equal(Pods.T0, Assert.Single(plan.NewStatus!.Conditions, c => c.Type == "Ready").LastTransitionTime);
    }
}
