using Stevedore.Kubelet.Pods;
using static Stevedore.Kubelet.Tests.Builders;

namespace Stevedore.Kubelet.Tests.Pods;

public sealed class PodActionsTests
{
    private static readonly Dictionary<string, string> NoProbeFailures = [];

    public static TheoryData<string, string?, int, bool> RestartCases => new()
    {
        // restartPolicy, state of the newest instance (null = never ran), exit code → start?
        { "Always", null, 0, true },
        { "Always", "Running", 0, false },
        { "Always", "Exited", 0, true },
        { "Always", "Exited", 1, true },
        { "OnFailure", "Exited", 0, false },
        { "OnFailure", "Exited", 1, true },
        { "Never", "Exited", 0, false },
        { "Never", "Exited", 1, false },
        { "Never", null, 0, true },
        { "Never", "Created", 0, true },
    };

    [Theory]
    [MemberData(nameof(RestartCases))]
    public void ShouldStart_PolicyAndState_UpstreamDecision(string policy, string? state, int exitCode, bool expected)
    {
        RuntimeContainer? latest = state switch
        {
            null => null,
            "Running" => Running("app", "c1"),
            "Created" => Running("app", "c1") with { State = RuntimeContainerState.Created },
            _ => Exited("app", "c1", exitCode),
        };

        Assert.Equal(expected, PodActions.ShouldStart(latest, policy));
    }

    [Fact]
    public void Compute_NothingRuns_NewSandboxThenAllAppContainers()
    {
        var actions = PodActions.Compute(Pod(containers: ["a", "b"]), RuntimePod.Empty("uid-1"), NoProbeFailures, _ => true);

        Assert.True(actions.CreateSandbox);
        Assert.False(actions.KillPod);
        Assert.Equal(0u, actions.SandboxAttempt);
        Assert.Equal(["a", "b"], actions.ContainersToStart.Select(s => s.Spec.Name));
    }

    [Fact]
    public void Compute_NoSandboxWithInitContainers_StartsOnlyTheFirstInit()
    {
        var pod = Pod(inits: [Init("one"), Init("two")]);

        var actions = PodActions.Compute(pod, RuntimePod.Empty("uid-1"), NoProbeFailures, _ => true);

        var start = Assert.Single(actions.ContainersToStart);
        Assert.Equal(("one", true), (start.Spec.Name, start.IsInit));
    }

    [Fact]
    public void Compute_FirstInitSucceeded_StartsTheSecond()
    {
        var pod = Pod(inits: [Init("one"), Init("two")]);

        var actions = PodActions.Compute(pod, Runtime(null, Exited("one", "c1", 0)), NoProbeFailures, _ => true);

        Assert.Equal("two", Assert.Single(actions.ContainersToStart).Spec.Name);
    }

    [Fact]
    public void Compute_InitRunning_WaitsForIt()
    {
        var pod = Pod(inits: [Init("one"), Init("two")]);

        var actions = PodActions.Compute(pod, Runtime(null, Running("one", "c1")), NoProbeFailures, _ => true);

        Assert.True(actions.IsEmpty);
    }

    [Fact]
    public void Compute_AllInitsSucceeded_StartsAppContainers()
    {
        var pod = Pod(containers: ["a", "b"], inits: [Init("one")]);

        var actions = PodActions.Compute(pod, Runtime(null, Exited("one", "c1", 0)), NoProbeFailures, _ => true);

        Assert.Equal(["a", "b"], actions.ContainersToStart.Select(s => s.Spec.Name));
        Assert.All(actions.ContainersToStart, s => Assert.False(s.IsInit));
    }

    [Theory]
    [InlineData("Always", false)]
    [InlineData("OnFailure", false)]
    [InlineData("Never", true)]
    public void Compute_InitFailed_RestartedUnlessNever(string policy, bool podFails)
    {
        var pod = Pod(restartPolicy: policy, inits: [Init("one")]);

        var actions = PodActions.Compute(pod, Runtime(null, Exited("one", "c1", 1)), NoProbeFailures, _ => true);

        Assert.Equal(podFails, actions.KillPod);
        Assert.Equal(podFails ? [] : ["one"], actions.ContainersToStart.Select(s => s.Spec.Name));
    }

    [Fact]
    public void Compute_SidecarNotStartedYet_NextInitWaits()
    {
        var pod = Pod(inits: [Sidecar("proxy"), Init("setup")]);

        var waiting = PodActions.Compute(pod, Runtime(null, Running("proxy", "c1")), NoProbeFailures, _ => false);
        var started = PodActions.Compute(pod, Runtime(null, Running("proxy", "c1")), NoProbeFailures, _ => true);

        Assert.True(waiting.IsEmpty);
        Assert.Equal("setup", Assert.Single(started.ContainersToStart).Spec.Name);
    }

    [Fact]
    public void Compute_SidecarExitedAfterInit_IsRestartedAlongsideApps()
    {
        var pod = Pod(containers: ["a"], inits: [Sidecar("proxy")]);

        var actions = PodActions.Compute(pod, Runtime(null, Running("a", "c2", secondsAfter: 3), Exited("proxy", "c1", 0)), NoProbeFailures, _ => true);

        Assert.Equal("proxy", Assert.Single(actions.ContainersToStart).Spec.Name);
    }

    [Fact]
    public void Compute_AppsDoneWithOnFailure_KillsTheRemainingSidecar()
    {
        var pod = Pod(restartPolicy: "OnFailure", containers: ["a"], inits: [Sidecar("proxy")]);

        var actions = PodActions.Compute(pod, Runtime(null, Exited("a", "c2", 0, secondsAfter: 3), Running("proxy", "c1")), NoProbeFailures, _ => true);

        Assert.True(actions.KillPod);
        Assert.Empty(actions.ContainersToStart);
    }

    [Fact]
    public void Compute_DeadSandbox_NewSandboxWithTheNextAttempt()
    {
        var actions = PodActions.Compute(Pod(), Runtime([Sandbox("sb1", ready: false, attempt: 2)], Exited("app", "c1", 137)), NoProbeFailures, _ => true);

        Assert.True(actions.CreateSandbox);
        Assert.Equal(3u, actions.SandboxAttempt);
        Assert.Equal("app", Assert.Single(actions.ContainersToStart).Spec.Name);
    }

    [Theory]
    [InlineData("Never", 1)]
    [InlineData("OnFailure", 0)]
    public void Compute_DeadSandboxOfAFinishedPod_NoNewSandbox(string policy, int exitCode)
    {
        var actions = PodActions.Compute(Pod(restartPolicy: policy), Runtime([Sandbox("sb1", ready: false)], Exited("app", "c1", exitCode)), NoProbeFailures, _ => true);

        Assert.False(actions.CreateSandbox);
        Assert.Empty(actions.ContainersToStart);
    }

    [Fact]
    public void Compute_LivenessFailed_KillsAndRestarts()
    {
        var failures = new Dictionary<string, string> { ["c1"] = "Container app failed liveness probe, will be restarted" };

        var actions = PodActions.Compute(Pod(), Runtime(null, Running("app", "c1")), failures, _ => true);

        var kill = Assert.Single(actions.ContainersToKill);
        Assert.Equal(("c1", "Container app failed liveness probe, will be restarted"), (kill.Container.Id, kill.Message));
        Assert.Equal("app", Assert.Single(actions.ContainersToStart).Spec.Name);
    }

    [Fact]
    public void Compute_LivenessFailedWithNever_KillsWithoutRestart()
    {
        var failures = new Dictionary<string, string> { ["c1"] = "failed" };

        var actions = PodActions.Compute(Pod(restartPolicy: "Never"), Runtime(null, Running("app", "c1")), failures, _ => true);

        Assert.Single(actions.ContainersToKill);
        Assert.Empty(actions.ContainersToStart);
    }

    [Fact]
    public void Compute_ImageChanged_RestartsTheContainer()
    {
        var pod = Pod();
        var stale = Running("app", "c1") with { Hash = "0000000000000000" };

        var actions = PodActions.Compute(pod, Runtime(null, stale), NoProbeFailures, _ => true);

        Assert.Equal("c1", Assert.Single(actions.ContainersToKill).Container.Id);
        Assert.Single(actions.ContainersToStart);
    }

    [Fact]
    public void Compute_AllRunning_NothingToDo()
    {
        var pod = Pod(containers: ["a", "b"]);

        var actions = PodActions.Compute(pod, Runtime(null, Running("b", "c2", secondsAfter: 2), Running("a", "c1")), NoProbeFailures, _ => true);

        Assert.True(actions.IsEmpty);
    }

    [Fact]
    public void Compute_ContainerNotInSpec_IsKilled()
    {
        var actions = PodActions.Compute(Pod(), Runtime(null, Running("ghost", "c9", secondsAfter: 2), Running("app", "c1")), NoProbeFailures, _ => true);

        Assert.Equal("c9", Assert.Single(actions.ContainersToKill).Container.Id);
    }
}
