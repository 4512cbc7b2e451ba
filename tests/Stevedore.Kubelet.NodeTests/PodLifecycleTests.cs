using k8s;
using k8s.Models;

namespace Stevedore.Kubelet.NodeTests;

public abstract class PodLifecycleTests(NodeFixture node)
{
    [NodeFact]
    public async Task Pod_BusyboxSleeping_RunsAndReportsRunningReady()
    {
        var ns = await node.CreateNamespaceAsync();
        var pod = await Pods.CreateAsync(node, Pods.Busybox(ns, "sleeper", node.NodeName, "echo started; exec sleep 3600"));

        var running = await Pods.WaitAsync(node, pod, Pods.IsRunningAndReady, "Running and Ready");

        var status = Pods.Status(running, "main")!;
        Assert.NotNull(status.State.Running);
        Assert.True(status.Ready);
        Assert.True(status.Started);
        Assert.Equal(0, status.RestartCount);
        Assert.StartsWith(node.RuntimeName + "://", status.ContainerID, StringComparison.Ordinal);
        Assert.Contains("sha256:", status.ImageID, StringComparison.Ordinal);
        Assert.Equal(TestImages.Busybox, status.Image);
        Assert.Equal(node.NodeIp, running.Status.HostIP);
        Assert.NotNull(running.Status.StartTime);
        Assert.Equal("BestEffort", running.Status.QosClass);
        foreach (var type in new[] { "PodScheduled", "PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready" })
        {
            Assert.Contains(running.Status.Conditions, c => c.Type == type && c.Status == "True");
        }

        // The runtime knows the container by upstream's labels, and its log is where kubelet asked.
        var containers = await Pods.RuntimeContainersAsync(node, pod.Metadata.Uid);
        var container = Assert.Single(containers);
        Assert.Equal("main", container.Labels["io.kubernetes.container.name"]);
        Assert.Equal("sleeper", container.Labels["io.kubernetes.pod.name"]);
        Assert.Equal(ns, container.Labels["io.kubernetes.pod.namespace"]);
        var log = Path.Combine(node.PodLogsDir, $"{ns}_sleeper_{pod.Metadata.Uid}", "main", "0.log");
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(log) && File.ReadAllText(log).Contains("started", StringComparison.Ordinal)), "the container log");

        var reasons = (await Pods.EventsAsync(node, pod)).Select(e => e.Reason).ToList();
        Assert.Contains("Pulled", reasons);
        Assert.Contains("Created", reasons);
        Assert.Contains("Started", reasons);

        await Pods.DeleteAsync(node, pod, grace: 1);
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);
    }

    [NodeFact]
    public async Task InitContainers_TwoInOrder_EachSucceedsBeforeTheNextAndTheApp()
    {
        var ns = await node.CreateNamespaceAsync();
        var spec = Pods.Busybox(ns, "inits", node.NodeName, "exec sleep 3600");
        spec.Spec.InitContainers = [Pods.Container("first", "sleep 1; exit 0"), Pods.Container("second", "sleep 1; exit 0")];
        var pod = await Pods.CreateAsync(node, spec);

        var running = await Pods.WaitAsync(node, pod, Pods.IsRunningAndReady, "Running and Ready");

        var first = Pods.Status(running, "first")!.State.Terminated!;
        var second = Pods.Status(running, "second")!.State.Terminated!;
        var app = Pods.Status(running, "main")!.State.Running!;
        Assert.Equal((0, "Completed"), (first.ExitCode, first.Reason));
        Assert.Equal((0, "Completed"), (second.ExitCode, second.Reason));
        Assert.True(first.FinishedAt <= second.StartedAt, "the second init container started before the first finished");
        Assert.True(second.FinishedAt <= app.StartedAt, "the app container started before the init containers finished");
        Assert.All(running.Status.InitContainerStatuses, s => Assert.True(s.Ready));

        await Pods.DeleteAsync(node, pod, grace: 1);
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);
    }

    [NodeFact]
    public async Task InitContainer_FailsWithRestartNever_PodFailedAndAppNeverStarts()
    {
        var ns = await node.CreateNamespaceAsync();
        var spec = Pods.Busybox(ns, "init-fails", node.NodeName, "exec sleep 3600", restartPolicy: "Never");
        spec.Spec.InitContainers = [Pods.Container("setup", "exit 7")];
        var pod = await Pods.CreateAsync(node, spec);

        var failed = await Pods.WaitAsync(node, pod, p => p.Status?.Phase == "Failed", "phase Failed");

        Assert.Equal(7, Pods.Status(failed, "setup")!.State.Terminated!.ExitCode);
        Assert.Null(Pods.Status(failed, "main")!.State.Running);
        Assert.DoesNotContain(await Pods.RuntimeContainersAsync(node, pod.Metadata.Uid), c => c.Labels["io.kubernetes.container.name"] == "main");
        Assert.Contains(failed.Status.Conditions, c => c.Type == "Initialized" && c.Status == "False");

        await Pods.DeleteAsync(node, pod, grace: 1);
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);
    }

    [NodeFact]
    public async Task Container_ExitsNonZero_RestartsWithCrashLoopBackOff()
    {
        var ns = await node.CreateNamespaceAsync();
        var pod = await Pods.CreateAsync(node, Pods.Busybox(ns, "crasher", node.NodeName, "echo bye; exit 3"));

        var looping = await Pods.WaitAsync(node, pod,
            p => Pods.Status(p, "main") is { RestartCount: >= 1 } s && s.State.Waiting?.Reason == "CrashLoopBackOff", "CrashLoopBackOff after a restart");

        var status = Pods.Status(looping, "main")!;
        Assert.Equal(3, status.LastState.Terminated.ExitCode);
        Assert.Equal("Error", status.LastState.Terminated.Reason);
        Assert.Contains("back-off", status.State.Waiting.Message, StringComparison.Ordinal);
        Assert.Equal("Running", looping.Status.Phase);
        Assert.Contains(looping.Status.Conditions, c => c.Type == "Ready" && c.Status == "False" && c.Reason == "ContainersNotReady");
        Assert.Contains(await Pods.EventsAsync(node, pod), e => e.Reason == "BackOff" && e.Type == "Warning");
        // Only the newest two instances are kept.
        Assert.InRange((await Pods.RuntimeContainersAsync(node, pod.Metadata.Uid)).Count, 1, 2);

        await Pods.DeleteAsync(node, pod, grace: 1);
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);
    }

    [NodeFact]
    public async Task Container_RestartPolicyNever_ExitZeroSucceededAndNonZeroFailed()
    {
        var ns = await node.CreateNamespaceAsync();
        var ok = await Pods.CreateAsync(node, Pods.Busybox(ns, "job-ok", node.NodeName, "exit 0", restartPolicy: "Never"));
        var bad = await Pods.CreateAsync(node, Pods.Busybox(ns, "job-bad", node.NodeName, "exit 2", restartPolicy: "Never"));

        var succeeded = await Pods.WaitAsync(node, ok, p => p.Status?.Phase == "Succeeded", "phase Succeeded");
        var failed = await Pods.WaitAsync(node, bad, p => p.Status?.Phase == "Failed", "phase Failed");

        Assert.Equal("Completed", Pods.Status(succeeded, "main")!.State.Terminated.Reason);
        Assert.Equal(2, Pods.Status(failed, "main")!.State.Terminated.ExitCode);
        Assert.Equal(0, Pods.Status(failed, "main")!.RestartCount);
        Assert.Contains(succeeded.Status.Conditions, c => c.Type == "Ready" && c.Reason == "PodCompleted");
        // A finished pod's sandbox is stopped.
        await Eventually.TrueAsync(async () => (await Pods.RuntimeSandboxesAsync(node, ok.Metadata.Uid)).All(s => s.State == Stevedore.Cri.V1.PodSandboxState.SandboxNotready), "sandbox stopped");

        await Pods.DeleteAsync(node, ok, grace: 1);
        await Pods.DeleteAsync(node, bad, grace: 1);
        await Pods.WaitGoneAsync(node, ok, ok.Metadata.Uid);
        await Pods.WaitGoneAsync(node, bad, bad.Metadata.Uid);
    }

    [NodeFact]
    public async Task Container_CommandNotFound_RunContainerErrorWithTheRuntimesMessage()
    {
        var ns = await node.CreateNamespaceAsync();
        var spec = Pods.Busybox(ns, "no-such-command", node.NodeName, "");
        spec.Spec.Containers[0].Command = ["/does-not-exist"];
        var pod = await Pods.CreateAsync(node, spec);

        var events = await Eventually.GetAsync(() => Pods.EventsAsync(node, pod), e => e.Any(x => x.Reason == "Failed" && x.Message.StartsWith("Error: ", StringComparison.Ordinal)), "a Failed event");
        var looping = await Pods.WaitAsync(node, pod, p => Pods.WaitingReason(p, "main") == "CrashLoopBackOff", "CrashLoopBackOff");

        var failure = events.First(x => x.Reason == "Failed").Message;
        Assert.Contains("does-not-exist", failure, StringComparison.Ordinal);
        var last = Pods.Status(looping, "main")!.LastState.Terminated;
        // The runtime's own account of the failed start (Stevedore: 1/Error, containerd: 128/StartError).
        Assert.NotEqual(0, last.ExitCode);
        Assert.Contains("does-not-exist", last.Message, StringComparison.Ordinal);

        await Pods.DeleteAsync(node, pod, grace: 1);
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);
    }

    [NodeFact]
    public async Task Image_Missing_ErrImagePullThenImagePullBackOffWithTheRegistrysMessage()
    {
        var ns = await node.CreateNamespaceAsync();
        var spec = Pods.Busybox(ns, "no-image", node.NodeName, "true");
        // A loopback port nothing listens on: the pull fails without leaving the machine.
        spec.Spec.Containers[0].Image = "127.0.0.1:9/stevedore/missing:1";
        var pod = await Pods.CreateAsync(node, spec);

        var backoff = await Pods.WaitAsync(node, pod, p => Pods.WaitingReason(p, "main") == "ImagePullBackOff", "ImagePullBackOff");

        var events = await Pods.EventsAsync(node, pod);
        Assert.Contains(events, e => e.Reason == "Failed" && e.Message == "Error: ErrImagePull");
        var failure = Assert.Single(events, e => e.Reason == "Failed" && e.Message.StartsWith("Failed to pull image", StringComparison.Ordinal));
        Assert.Contains("127.0.0.1:9", failure.Message, StringComparison.Ordinal);
        Assert.Contains(events, e => e.Reason == "Pulling");
        Assert.Equal("Pending", backoff.Status.Phase);
        Assert.Equal("Back-off pulling image \"127.0.0.1:9/stevedore/missing:1\"", Pods.Status(backoff, "main")!.State.Waiting.Message);

        await Pods.DeleteAsync(node, pod, grace: 1);
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);
    }

    [NodeFact]
    public async Task Delete_ContainerIgnoringSigterm_KilledAfterTheGracePeriodAndNothingLeft()
    {
        var ns = await node.CreateNamespaceAsync();
        var spec = Pods.Busybox(ns, "stubborn", node.NodeName, "trap '' TERM; while true; do sleep 1; done");
        spec.Spec.TerminationGracePeriodSeconds = 3;
        var pod = await Pods.CreateAsync(node, spec);
        await Pods.WaitAsync(node, pod, Pods.IsRunningAndReady, "Running");
        var podDir = Path.Combine(node.DataDir, "pods", pod.Metadata.Uid);
        var logDir = Path.Combine(node.PodLogsDir, $"{ns}_stubborn_{pod.Metadata.Uid}");
        Assert.True(Directory.Exists(logDir));
        var tearDowns = node.Volumes.TearDowns;

        var started = DateTime.UtcNow;
        await Pods.DeleteAsync(node, pod);
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);

        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(2), "the container was killed before its grace period");
        Assert.Contains(await Pods.EventsAsync(node, pod), e => e.Reason == "Killing" && e.Message == "Stopping container main");
        Assert.False(Directory.Exists(podDir));
        Assert.False(Directory.Exists(logDir));
        Assert.True(node.Volumes.TearDowns > tearDowns);
    }

    [NodeFact]
    public async Task Delete_ContainerHandlingSigterm_ExitsAtOnce()
    {
        var ns = await node.CreateNamespaceAsync();
        var spec = Pods.Busybox(ns, "polite", node.NodeName, "trap 'exit 0' TERM; while true; do sleep 1; done");
        spec.Spec.TerminationGracePeriodSeconds = 60;
        var pod = await Pods.CreateAsync(node, spec);
        await Pods.WaitAsync(node, pod, Pods.IsRunningAndReady, "Running");

        await Pods.DeleteAsync(node, pod);

        // Far less than the 60 s grace: SIGTERM reached the container and it ended by itself.
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid, seconds: 45);
    }

    [NodeFact]
    public async Task Pod_HostNetwork_ReportsTheNodeAddressAsPodIp()
    {
        var ns = await node.CreateNamespaceAsync();
        var spec = Pods.Busybox(ns, "host-net", node.NodeName, "exec sleep 3600");
        spec.Spec.HostNetwork = true;
        var pod = await Pods.CreateAsync(node, spec);

        var running = await Pods.WaitAsync(node, pod, Pods.IsRunningAndReady, "Running");

        Assert.Equal(node.NodeIp, running.Status.PodIP);
        Assert.Equal(node.NodeIp, Assert.Single(running.Status.PodIPs).Ip);

        await Pods.DeleteAsync(node, pod, grace: 1);
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);
    }

    [NodeFact]
    public async Task Container_LivenessProbeFails_KilledAndRestarted()
    {
        var ns = await node.CreateNamespaceAsync();
        var pod = await Pods.CreateAsync(node, Pods.Busybox(ns, "unhealthy", node.NodeName, "trap 'exit 0' TERM; while true; do sleep 1; done"));
        var running = await Pods.WaitAsync(node, pod, Pods.IsRunningAndReady, "Running");
        var first = Pods.Status(running, "main")!.ContainerID[(node.RuntimeName.Length + 3)..];

        node.Probes.Raise(new global::Stevedore.Kubelet.Probes.ProbeEvent(pod.Metadata.Uid, "main", first, global::Stevedore.Kubelet.Probes.ProbeKind.Liveness, Healthy: false, "Liveness probe failed: test"));

        var restarted = await Pods.WaitAsync(node, pod, p => Pods.Status(p, "main") is { RestartCount: 1, State.Running: not null }, "restarted once");
        Assert.NotEqual(first, Pods.Status(restarted, "main")!.ContainerID[(node.RuntimeName.Length + 3)..]);
        var events = await Pods.EventsAsync(node, pod);
        Assert.Contains(events, e => e.Reason == "Unhealthy" && e.Message == "Liveness probe failed: test");
        Assert.Contains(events, e => e.Reason == "Killing" && e.Message == "Container main failed liveness probe, will be restarted");

        await Pods.DeleteAsync(node, pod, grace: 1);
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);
    }
}
