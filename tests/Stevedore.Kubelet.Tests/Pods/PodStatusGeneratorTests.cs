using k8s.Models;
using Stevedore.Kubelet.Pods;
using static Stevedore.Kubelet.Tests.Builders;

namespace Stevedore.Kubelet.Tests.Pods;

public sealed class PodStatusGeneratorTests
{
    private static readonly DateTime Now = T0.UtcDateTime.AddMinutes(5);

    private static V1PodStatus Generate(V1Pod pod, RuntimePod runtime, Dictionary<string, ContainerWaiting>? waiting = null, Func<string, bool>? ready = null, bool terminal = false) =>
        PodStatusGenerator.Generate(new PodStatusInputs
        {
            Pod = pod,
            Runtime = runtime,
            RuntimeName = "stevedore",
            NodeIp = "192.0.2.10",
            Now = Now,
            Waiting = waiting ?? [],
            IsReady = ready ?? (_ => true),
            PodIsTerminal = terminal,
        });

    public static TheoryData<string, string, string> PhaseCases => new()
    {
        // restartPolicy, what the one app container did → phase
        { "Always", "none", "Pending" },
        { "Always", "running", "Running" },
        { "Always", "exit0", "Running" },
        { "Always", "exit1", "Running" },
        { "OnFailure", "exit0", "Succeeded" },
        { "OnFailure", "exit1", "Running" },
        { "Never", "exit0", "Succeeded" },
        { "Never", "exit1", "Failed" },
    };

    [Theory]
    [MemberData(nameof(PhaseCases))]
    public void Generate_OneContainer_UpstreamPhase(string policy, string state, string phase)
    {
        var runtime = state switch
        {
            "none" => RuntimePod.Empty("uid-1"),
            "running" => Runtime(null, Running("app", "c1")),
            "exit0" => Runtime(null, Exited("app", "c1", 0)),
            _ => Runtime(null, Exited("app", "c1", 1)),
        };

        Assert.Equal(phase, Generate(Pod(policy), runtime).Phase);
    }

    [Fact]
    public void Generate_Running_StatusFieldsAndAllConditionsTrue()
    {
        var status = Generate(Pod(), Runtime(null, Running("app", "c1")));

        var container = Assert.Single(status.ContainerStatuses);
        Assert.Equal(("app", "busybox:1.36", "sha256:abc", "stevedore://c1", 0), (container.Name, container.Image, container.ImageID, container.ContainerID, container.RestartCount));
        Assert.True(container.Ready);
        Assert.True(container.Started);
        Assert.Equal(T0.UtcDateTime.AddSeconds(1), container.State.Running.StartedAt);
        Assert.Equal(("192.0.2.10", "10.244.0.5"), (status.HostIP, status.PodIP));
        Assert.Equal("10.244.0.5", Assert.Single(status.PodIPs).Ip);
        Assert.Equal("BestEffort", status.QosClass);
        Assert.Equal(Now, status.StartTime);
        Assert.Equal(["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"], status.Conditions.Select(c => c.Type));
        Assert.All(status.Conditions, c => Assert.Equal("True", c.Status));
    }

    [Fact]
    public void Generate_ReadinessFailing_ReadyFalseWithUnreadyContainers()
    {
        var status = Generate(Pod(containers: ["a", "b"]), Runtime(null, Running("b", "c2"), Running("a", "c1")), ready: id => id == "c1");

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "ContainersNotReady", "containers with unready status: [b]"), (ready.Status, ready.Reason, ready.Message));
        Assert.Equal("Running", status.Phase);
    }

    [Fact]
    public void Generate_CrashLooping_WaitingWithLastStateAndRestartCount()
    {
        var runtime = Runtime(null, Exited("app", "c2", 3, restarts: 1, secondsAfter: 5), Exited("app", "c1", 3, secondsAfter: 1));
        var waiting = new Dictionary<string, ContainerWaiting> { ["app"] = new("CrashLoopBackOff", "back-off 10s restarting failed container=app pod=web_shop(uid-1)") };

        var status = Generate(Pod(), runtime, waiting);

        var container = Assert.Single(status.ContainerStatuses);
        Assert.Equal("CrashLoopBackOff", container.State.Waiting.Reason);
        Assert.Equal(3, container.LastState.Terminated.ExitCode);
        Assert.Equal("stevedore://c2", container.LastState.Terminated.ContainerID);
        Assert.Equal(1, container.RestartCount);
        Assert.False(container.Ready);
        Assert.Equal("Running", status.Phase);
    }

    [Fact]
    public void Generate_NeverRanWithPullError_WaitingReasonAndPending()
    {
        var waiting = new Dictionary<string, ContainerWaiting> { ["app"] = new("ImagePullBackOff", "Back-off pulling image \"x\"") };

        var status = Generate(Pod(), Runtime(null), waiting);

        Assert.Equal("ImagePullBackOff", status.ContainerStatuses[0].State.Waiting.Reason);
        Assert.Equal("Pending", status.Phase);
    }

    [Fact]
    public void Generate_FinishedWithNever_WaitingReasonIgnored()
    {
        var waiting = new Dictionary<string, ContainerWaiting> { ["app"] = new("RunContainerError", "boom") };

        var status = Generate(Pod("Never"), Runtime(null, Exited("app", "c1", 128, reason: "StartError")), waiting);

        Assert.Equal("StartError", status.ContainerStatuses[0].State.Terminated.Reason);
        Assert.Equal("Failed", status.Phase);
    }

    [Fact]
    public void Generate_NoRuntimeState_ContainerCreatingOrPodInitializing()
    {
        var plain = Generate(Pod(), RuntimePod.Empty("uid-1"));
        var withInit = Generate(Pod(inits: [Init("setup")]), RuntimePod.Empty("uid-1"));

        Assert.Equal("ContainerCreating", plain.ContainerStatuses[0].State.Waiting.Reason);
        Assert.Equal("PodInitializing", withInit.ContainerStatuses[0].State.Waiting.Reason);
        Assert.Equal("PodInitializing", withInit.InitContainerStatuses[0].State.Waiting.Reason);
        Assert.Equal("False", plain.Conditions.Single(c => c.Type == "PodReadyToStartContainers").Status);
    }

    [Fact]
    public void Generate_InitRunning_PendingAndNotInitialized()
    {
        var status = Generate(Pod(inits: [Init("one"), Init("two")]), Runtime(null, Running("one", "c1")));

        Assert.Equal("Pending", status.Phase);
        var initialized = status.Conditions.Single(c => c.Type == "Initialized");
        Assert.Equal(("False", "ContainersNotInitialized", "containers with incomplete status: [one two]"), (initialized.Status, initialized.Reason, initialized.Message));
    }

    [Fact]
    public void Generate_InitSucceeded_InitReadyAndInitialized()
    {
        var status = Generate(Pod(inits: [Init("one")]), Runtime(null, Running("app", "c2", secondsAfter: 3), Exited("one", "c1", 0)));

        Assert.True(status.InitContainerStatuses[0].Ready);
        Assert.Equal("Completed", status.InitContainerStatuses[0].State.Terminated.Reason);
        Assert.Equal("True", status.Conditions.Single(c => c.Type == "Initialized").Status);
        Assert.Equal("Running", status.Phase);
    }

    [Fact]
    public void Generate_InitFailedWithNever_Failed()
    {
        var status = Generate(Pod("Never", inits: [Init("one")]), Runtime(null, Exited("one", "c1", 2)));

        Assert.Equal("Failed", status.Phase);
    }

    [Fact]
    public void Generate_SidecarRunningAndStarted_CountsForReadiness()
    {
        var pod = Pod(inits: [Sidecar("proxy")]);

        var status = Generate(pod, Runtime(null, Running("app", "c2", secondsAfter: 3), Running("proxy", "c1")), ready: id => id != "c1");

        Assert.Equal("Running", status.Phase);
        Assert.Equal("True", status.Conditions.Single(c => c.Type == "Initialized").Status);
        Assert.Equal("containers with unready status: [proxy]", status.Conditions.Single(c => c.Type == "Ready").Message);
    }

    [Fact]
    public void Generate_Succeeded_ReadyFalsePodCompleted()
    {
        var status = Generate(Pod("Never"), Runtime([Sandbox(ready: false)], Exited("app", "c1", 0)));

        var ready = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "PodCompleted"), (ready.Status, ready.Reason));
    }

    [Theory]
    [InlineData(0, "Succeeded")]
    [InlineData(137, "Failed")]
    public void Generate_TerminalPodWithAlways_SucceededOrFailed(int exitCode, string phase)
    {
        var status = Generate(Pod(), Runtime([Sandbox(ready: false)], Exited("app", "c1", exitCode)), terminal: true);

        Assert.Equal(phase, status.Phase);
    }

    [Fact]
    public void Generate_OldTerminalPhase_IsKept()
    {
        var pod = Pod();
        pod.Status = new V1PodStatus { Phase = "Failed" };

        Assert.Equal("Failed", Generate(pod, Runtime(null, Running("app", "c1"))).Phase);
    }

    [Fact]
    public void Generate_ConditionUnchanged_KeepsItsTransitionTimeAndForeignConditions()
    {
        var earlier = new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        var pod = Pod();
        pod.Status = new V1PodStatus
        {
            StartTime = earlier,
            Conditions =
            [
                new V1PodCondition { Type = "DisruptionTarget", Status = "True", LastTransitionTime = earlier },
                new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = earlier },
                new V1PodCondition { Type = "Initialized", Status = "False", LastTransitionTime = earlier },
            ],
        };

        var status = Generate(pod, Runtime(null, Running("app", "c1")));

        Assert.Equal(earlier, status.StartTime);
        Assert.Equal("DisruptionTarget", status.Conditions[0].Type);
        Assert.Equal(earlier, status.Conditions.Single(c => c.Type == "Ready").LastTransitionTime);
        Assert.Equal(Now, status.Conditions.Single(c => c.Type == "Initialized").LastTransitionTime);
    }

    [Fact]
    public void Generate_HostNetwork_PodIpIsTheNodeIp()
    {
        var pod = Pod();
        pod.Spec.HostNetwork = true;

        var status = Generate(pod, Runtime([new RuntimeSandbox("sb1", 0, true, T0, [])], Running("app", "c1")));

        Assert.Equal("192.0.2.10", status.PodIP);
    }

    [Fact]
    public void Generate_OomKilled_ReasonFromTheRuntime()
    {
        var status = Generate(Pod("Never"), Runtime(null, Exited("app", "c1", 137, reason: "OOMKilled")));

        Assert.Equal(("OOMKilled", 137), (status.ContainerStatuses[0].State.Terminated.Reason, status.ContainerStatuses[0].State.Terminated.ExitCode));
    }

    [Fact]
    public void Generate_SameInputsTwice_SerializeIdentically()
    {
        var pod = Pod();
        var first = Generate(pod, Runtime(null, Running("app", "c1")));
        pod.Status = first;

        var second = Generate(pod, Runtime(null, Running("app", "c1")));

        Assert.Equal(k8s.KubernetesJson.Serialize(first), k8s.KubernetesJson.Serialize(second));
    }
}
