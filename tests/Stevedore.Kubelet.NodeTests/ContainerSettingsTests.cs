using k8s;
using k8s.Models;

namespace Stevedore.Kubelet.NodeTests;

public abstract class ContainerSettingsTests(NodeFixture node)
{
    [NodeFact]
    public async Task Container_UserEnvArgsAndWorkingDir_ReachTheProcess()
    {
        var ns = await node.CreateNamespaceAsync();
        var spec = Pods.Busybox(ns, "settings", node.NodeName, "", restartPolicy: "Never");
        var container = spec.Spec.Containers[0];
        container.Command = ["sh", "-c"];
        // $(GREETING) is expanded by the agent; $(id -u) is left to the shell.
        container.Args = ["echo \"$(GREETING) uid=$(id -u) gid=$(id -g) dir=$(pwd)\" > /dev/termination-log"];
        container.Env = [new V1EnvVar { Name = "GREETING", Value = "hello" }];
        container.WorkingDir = "/tmp";
        container.SecurityContext = new V1SecurityContext { RunAsUser = 1000, RunAsGroup = 2000 };
        var pod = await Pods.CreateAsync(node, spec);

        var done = await Pods.WaitAsync(node, pod, p => p.Status?.Phase is "Succeeded" or "Failed", "finished");

        var terminated = Pods.Status(done, "main")!.State.Terminated;
        Assert.Equal(("Succeeded", 0), (done.Status.Phase, terminated.ExitCode));
        Assert.Equal("hello uid=1000 gid=2000 dir=/tmp\n", terminated.Message);

        await Pods.DeleteAsync(node, pod, grace: 1);
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);
    }

    [NodeFact]
    public async Task Container_OverItsMemoryLimit_OomKilled()
    {
        var ns = await node.CreateNamespaceAsync();
        // tail keeps the whole newline-free stream in memory until the limit kills it.
        var spec = Pods.Busybox(ns, "hungry", node.NodeName, "tail /dev/zero", restartPolicy: "Never");
        spec.Spec.Containers[0].Resources = new V1ResourceRequirements
        {
            Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("32Mi"), ["cpu"] = new("500m") },
        };
        var pod = await Pods.CreateAsync(node, spec);

        var failed = await Pods.WaitAsync(node, pod, p => p.Status?.Phase == "Failed", "phase Failed");

        var terminated = Pods.Status(failed, "main")!.State.Terminated;
        Assert.Equal(("OOMKilled", 137), (terminated.Reason, terminated.ExitCode));
        // Limits alone are requests too: cpu and memory limited means Guaranteed.
        Assert.Equal("Guaranteed", failed.Status.QosClass);

        await Pods.DeleteAsync(node, pod, grace: 1);
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);
    }

    [NodeFact]
    public async Task Sidecar_InitContainerWithRestartAlways_RunsBesideTheApp()
    {
        var ns = await node.CreateNamespaceAsync();
        var spec = Pods.Busybox(ns, "with-sidecar", node.NodeName, "exec sleep 3600");
        var sidecar = Pods.Container("proxy", "trap 'exit 0' TERM; while true; do sleep 1; done");
        sidecar.RestartPolicy = "Always";
        spec.Spec.InitContainers = [sidecar, Pods.Container("setup", "exit 0")];
        var pod = await Pods.CreateAsync(node, spec);

        var running = await Pods.WaitAsync(node, pod, Pods.IsRunningAndReady, "Running and Ready");

        var proxy = Pods.Status(running, "proxy")!;
        var setup = Pods.Status(running, "setup")!.State.Terminated!;
        Assert.NotNull(proxy.State.Running);
        Assert.True(proxy.Ready);
        Assert.True(proxy.State.Running.StartedAt <= setup.StartedAt, "the regular init container started before the sidecar");
        Assert.Equal(0, setup.ExitCode);
        Assert.NotNull(Pods.Status(running, "main")!.State.Running);

        await Pods.DeleteAsync(node, pod, grace: 2);
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);
    }

    [NodeFact]
    public async Task ShareProcessNamespace_OnlyWhenAsked_ContainersSeeEachOthersProcesses()
    {
        var ns = await node.CreateNamespaceAsync();
        // The second container looks (for a while) for the first one's sleep and reports what it saw and its PID 1
        // ("36[0]0": the script's own command line must not match).
        const string peek = "seen=no; for i in $(seq 50); do if cat /proc/[0-9]*/cmdline | tr '\\0' ' ' | grep -q 'sleep 36[0]0'; then seen=yes; break; fi; sleep 0.1; done; "
            + "echo \"seen=$seen init=$(tr '\\0' '\\n' < /proc/1/cmdline | head -n 1)\" > /dev/termination-log";
        var pods = new List<V1Pod>();
        foreach (var (name, share) in new[] { ("shared-pid", true), ("own-pid", false) })
        {
            var spec = Pods.Busybox(ns, name, node.NodeName, "exec sleep 3600", restartPolicy: "Never");
            spec.Spec.ShareProcessNamespace = share;
            spec.Spec.Containers.Add(Pods.Container("peek", peek));
            pods.Add(await Pods.CreateAsync(node, spec));
        }

        var messages = new List<string>();
        foreach (var pod in pods)
        {
            var done = await Pods.WaitAsync(node, pod, p => Pods.Status(p, "peek")?.State?.Terminated is not null, "peek finished");
            messages.Add(Pods.Status(done, "peek")!.State.Terminated.Message);
        }

        // Shared: one PID namespace whose PID 1 is the sandbox's pause process. Not shared: the container's own shell is PID 1.
        Assert.Matches("^seen=yes init=(/pause|/usr/bin/catatonit)\n$", messages[0]);
        Assert.Equal("seen=no init=sh\n", messages[1]);

        foreach (var pod in pods)
        {
            await Pods.DeleteAsync(node, pod, grace: 1);
            await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);
        }
    }
}
