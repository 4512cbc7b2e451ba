using k8s.Models;
using Stevedore.Kubelet.Probes;

namespace Stevedore.Kubelet.NodeTests.Probes;

/// <summary>Exec probes, the probe manager and lifecycle hooks against a real runc container, through the engine's CRI server.</summary>
public sealed class ExecProbeAndHookNodeTests(CriContainerFixture fixture) : IClassFixture<CriContainerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [ProbeNodeFact]
    public async Task CriContainerExec_Command_ExitCodeAndOutput()
    {
        var exec = new CriContainerExec(fixture.Runtime);

        var outcome = await exec.ExecAsync(fixture.ContainerId, ["sh", "-c", "echo out; echo err >&2; exit 4"], TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal((4, "out\n", "err\n", false), (outcome.ExitCode, System.Text.Encoding.UTF8.GetString(outcome.Stdout), System.Text.Encoding.UTF8.GetString(outcome.Stderr), outcome.TimedOut));
    }

    [ProbeNodeFact]
    public async Task CriContainerExec_CommandOutlivesTimeout_TimedOutAndKilled()
    {
        var exec = new CriContainerExec(fixture.Runtime);
        var marker = Random.Shared.Next(100_000, 999_999);

        var outcome = await exec.ExecAsync(fixture.ContainerId, ["sleep", marker.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.True(outcome.TimedOut);
        Assert.DoesNotContain($"sleep {marker}", await fixture.ShellAsync("cat /proc/[0-9]*/cmdline | tr '\\0' ' '"), StringComparison.Ordinal);
    }

    [ProbeNodeFact]
    public async Task Prober_ExecProbe_ExitCodeDecidesOutputIsMessage()
    {
        using var prober = new Prober(new CriContainerExec(fixture.Runtime));

        var passed = await prober.ProbeAsync(Pod(), Container(), fixture.ContainerId, ExecProbe("echo fine"), CancellationToken.None);
        var failed = await prober.ProbeAsync(Pod(), Container(), fixture.ContainerId, ExecProbe("echo broken; echo details >&2; exit 1"), CancellationToken.None);
        var missing = await prober.ProbeAsync(Pod(), Container(), fixture.ContainerId, ExecProbe("cat /nonexistent-file"), CancellationToken.None);

        Assert.Equal(ProbeResult.Success("fine\n"), passed);
        Assert.Equal(ProbeResult.Failure("broken\ndetails\n"), failed);
        Assert.Equal(ProbeResult.Failure("cat: can't open '/nonexistent-file': No such file or directory\n"), missing);
    }

    [ProbeNodeFact]
    public async Task Prober_ExecProbeOutlivesTimeout_FailsAsTimedOut()
    {
        using var prober = new Prober(new CriContainerExec(fixture.Runtime));
        var probe = new V1Probe { Exec = new V1ExecAction { Command = ["sleep", "30"] }, TimeoutSeconds = 1 };

        var result = await prober.ProbeAsync(Pod(), Container(), fixture.ContainerId, probe, CancellationToken.None);

        Assert.Equal(ProbeResult.Failure("command \"sleep 30\" timed out"), result);
    }

    [ProbeNodeFact]
    public async Task Prober_ExecInUnknownContainer_ErrorsWithRuntimeMessage()
    {
        using var prober = new Prober(new CriContainerExec(fixture.Runtime));

        var result = await prober.ProbeAsync(Pod(), Container(), "no-such-container", ExecProbe("true"), CancellationToken.None);

        Assert.Equal(ProbeOutcome.Error, result.Outcome);
        Assert.StartsWith("rpc error: code = NotFound desc = ", result.Output, StringComparison.Ordinal);
    }

    [ProbeNodeFact]
    public async Task ProbeManager_LivenessFileRemoved_FailsAfterThresholdWithUnhealthyEvents()
    {
        var file = $"/tmp/healthy-{Guid.NewGuid():N}";
        await fixture.ShellAsync($"touch {file}");
        var recorded = new List<ContainerEvent>();
        using var manager = new ProbeManager(new CriContainerExec(fixture.Runtime), TimeProvider.System, recordEvent: e => { lock (recorded) { recorded.Add(e); } });
        var failed = new TaskCompletionSource<ProbeEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        manager.ProbeChanged += e => failed.TrySetResult(e);
        var container = Container();
        container.LivenessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["cat", file] }, PeriodSeconds = 1, FailureThreshold = 2, TimeoutSeconds = 30 };
        var id = fixture.ContainerId;

        manager.AddContainer(Pod(), container, id, DateTimeOffset.UtcNow);
        await Task.Delay(2500);
        Assert.False(failed.Task.IsCompleted);
        await fixture.ShellAsync($"rm {file}");
        var change = await failed.Task.WaitAsync(Patience);

        Assert.Equal((ProbeKind.Liveness, false), (change.Kind, change.Healthy));
        Assert.Equal($"Liveness probe failed: cat: can't open '{file}': No such file or directory\n", change.Message);
        lock (recorded)
        {
            Assert.True(recorded.Count >= 2);
            Assert.All(recorded, e => Assert.Equal(("Warning", "Unhealthy", change.Message), (e.Type, e.Reason, e.Message)));
        }
    }

    [ProbeNodeFact]
    public async Task ProbeManager_ReadinessFileAppears_ReadyAfterward()
    {
        var file = $"/tmp/ready-{Guid.NewGuid():N}";
        using var manager = new ProbeManager(new CriContainerExec(fixture.Runtime), TimeProvider.System);
        var ready = new TaskCompletionSource<ProbeEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        manager.ProbeChanged += e => ready.TrySetResult(e);
        var container = Container();
        container.ReadinessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["test", "-f", file] }, PeriodSeconds = 1, TimeoutSeconds = 30 };
        var id = fixture.ContainerId;

        manager.AddContainer(Pod(), container, id, DateTimeOffset.UtcNow);
        await Task.Delay(2500);
        Assert.False(manager.IsReady(id));
        await fixture.ShellAsync($"touch {file}");
        var change = await ready.Task.WaitAsync(Patience);

        Assert.Equal((ProbeKind.Readiness, true), (change.Kind, change.Healthy));
        Assert.True(manager.IsReady(id));
        await fixture.ShellAsync($"rm -f {file}");
    }

    [ProbeNodeFact]
    public async Task LifecycleHook_ExecSucceeds_NullAndItsEffectIsVisible()
    {
        using var runner = new LifecycleHookRunner(new CriContainerExec(fixture.Runtime));
        var file = $"/tmp/poststart-{Guid.NewGuid():N}";

        var message = await runner.RunAsync(Pod(), Container(), fixture.ContainerId, ExecHandler($"echo started > {file}"), CancellationToken.None);

        Assert.Null(message);
        Assert.Equal("started\n", await fixture.ShellAsync($"cat {file}; rm {file}"));
    }

    [ProbeNodeFact]
    public async Task LifecycleHook_ExecExitsNonZero_UpstreamMessage()
    {
        using var runner = new LifecycleHookRunner(new CriContainerExec(fixture.Runtime));

        var message = await runner.RunAsync(Pod(), Container(), fixture.ContainerId, ExecHandler("echo partial; echo oops >&2; exit 2"), CancellationToken.None);

        Assert.Equal(
            "Exec lifecycle hook ([sh -c echo partial; echo oops >&2; exit 2]) for Container \"main\" in Pod \"web_default(uid-1)\" failed - error: command 'sh -c echo partial; echo oops >&2; exit 2' exited with 2: oops\n, message: \"partial\\noops\\n\"",
            message);
    }

    [ProbeNodeFact]
    public async Task LifecycleHook_ExecInUnknownContainer_MessageCarriesRuntimeError()
    {
        using var runner = new LifecycleHookRunner(new CriContainerExec(fixture.Runtime));

        var message = await runner.RunAsync(Pod(), Container(), "no-such-container", ExecHandler("true"), CancellationToken.None);

        Assert.StartsWith("Exec lifecycle hook ([sh -c true]) for Container \"main\" in Pod \"web_default(uid-1)\" failed - error: rpc error: code = NotFound desc = ", message, StringComparison.Ordinal);
    }

    [ProbeNodeFact]
    public async Task LifecycleHook_ExecCancelledByGracePeriod_FailsAndTheCommandIsGone()
    {
        using var runner = new LifecycleHookRunner(new CriContainerExec(fixture.Runtime));
        var marker = Random.Shared.Next(100_000, 999_999);
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        var message = await runner.RunAsync(Pod(), Container(), fixture.ContainerId, ExecHandler($"sleep {marker}"), grace.Token);

        Assert.Equal($"Exec lifecycle hook ([sh -c sleep {marker}]) for Container \"main\" in Pod \"web_default(uid-1)\" failed - error: context canceled, message: \"\"", message);
        var gone = false;
        for (var i = 0; i < 100 && !gone; i++)
        {
            gone = !(await fixture.ShellAsync("cat /proc/[0-9]*/cmdline | tr '\\0' ' '")).Contains($"sleep {marker}", StringComparison.Ordinal);
            if (!gone)
            {
                await Task.Delay(100);
            }
        }

        Assert.True(gone, "the cancelled hook's command still runs in the container");
    }

    internal static V1Pod Pod() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = "uid-1" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main" }] },
        Status = new V1PodStatus { PodIP = "127.0.0.1" },
    };

    internal static V1Container Container() => new() { Name = "main" };

    /// <summary>A generous timeout: runc exec on a busy machine must not turn into a spurious "timed out".</summary>
    private static V1Probe ExecProbe(string script) => new() { Exec = new V1ExecAction { Command = ["sh", "-c", script] }, TimeoutSeconds = 30 };

    private static V1LifecycleHandler ExecHandler(string script) => new() { Exec = new V1ExecAction { Command = ["sh", "-c", script] } };
}
