using System.Globalization;
using k8s.Models;
using Stevedore.Kubelet.Probes;

namespace Stevedore.Kubelet.Tests.Probes;

/// <summary>
/// The probe manager's timing and threshold behaviour on a manual clock: which second each probe kind
/// is attempted, and when results change. Scenarios are written compactly:
/// probe "d15 p5 s3 f2 g7" = initialDelaySeconds 15, periodSeconds 5, successThreshold 3, failureThreshold 2,
/// terminationGracePeriodSeconds 7 (omitted fields keep upstream's defaults);
/// scripts are the attempt results in order (S, F, W, E; the last repeats);
/// attempts "S:0,3;L:10;R:" = the seconds at which each kind was probed;
/// changes "S+@6 R-@20" = result changes in order (kind, healthy + or -, second).
/// </summary>
public sealed class ProbeManagerTimingTests
{
    private static readonly DateTimeOffset Origin = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string?, string?, string?, string, int, string, string> Scenarios => new()
    {
        // name, startup, liveness, readiness, scripts "startup|liveness|readiness", seconds to run, attempts, changes
        { "readiness with defaults is probed at start then every 10 s", null, null, "", "||S", 35, "S:;L:;R:0,10,20,30", "R+@0" },
        { "readiness stays false until the first success", null, null, "", "||FFS", 35, "S:;L:;R:0,10,20,30", "R+@20" },
        { "readiness needs successThreshold passes in a row", null, null, "s3", "||SFSSS", 45, "S:;L:;R:0,10,20,30,40", "R+@40" },
        { "readiness flaps with failureThreshold 2", null, null, "f2", "||SFFS", 35, "S:;L:;R:0,10,20,30", "R+@0 R-@20 R+@30" },
        { "initialDelaySeconds delays the first probe, then periodSeconds", null, null, "d15 p5", "||S", 25, "S:;L:;R:15,20,25", "R+@15" },
        { "liveness fails after failureThreshold failures and is not probed again", null, "", null, "|SFFFS|", 70, "S:;L:0,10,20,30;R:", "L-@30" },
        { "liveness failures below the threshold change nothing", null, "", null, "|FFSFFS|", 55, "S:;L:0,10,20,30,40,50;R:", "" },
        { "liveness failureThreshold 1 fails on the first failure", null, "f1 p2", null, "|SF|", 20, "S:;L:0,2;R:", "L-@2" },
        { "errored attempts count neither way", null, "", null, "|FEFEF|", 60, "S:;L:0,10,20,30,40;R:", "L-@40" },
        { "a warning counts as a success", null, null, "", "||W", 5, "S:;L:;R:0", "R+@0" },
        { "startup gates liveness and readiness; readiness is probed as soon as startup passes", "p3", "", "", "FFS|S|S", 40, "S:0,3,6;L:10,20,30,40;R:6,16,26,36", "S+@6 R+@6" },
        { "a failed startup probe stops, and liveness and readiness never run", "", "", "", "F|S|S", 60, "S:0,10,20;L:;R:", "S-@20" },
        { "startup passes once, then is never probed again", "p1", null, null, "S||", 10, "S:0;L:;R:", "S+@0" },
        { "startup ignores successThreshold (always 1)", "s3 p1", null, null, "S||", 5, "S:0;L:;R:", "S+@0" },
        { "startup initialDelaySeconds applies too", "d5 p2 f2", null, null, "FS||", 10, "S:5,7;L:;R:", "S+@7" },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Probes_Scenario_AttemptedAndChangedAtExpectedSeconds(string name, string? startup, string? liveness, string? readiness, string scripts, int seconds, string attempts, string changes)
    {
        Assert.NotEmpty(name);
        var time = new ManualTimeProvider(Origin);
        var prober = new ScriptedProber(time, Origin);
        var parts = scripts.Split('|');
        prober.Script(ProbeKind.Startup, parts[0]);
        prober.Script(ProbeKind.Liveness, parts[1]);
        prober.Script(ProbeKind.Readiness, parts[2]);
        using var manager = new ProbeManager(prober, time, null, null, () => 0);
        var seen = new List<string>();
        manager.ProbeChanged += e => seen.Add($"{e.Kind.ToString()[0]}{(e.Healthy ? '+' : '-')}@{(int)(time.GetUtcNow() - Origin).TotalSeconds}");

        var container = Container(Probe(startup), Probe(liveness), Probe(readiness));
        manager.AddContainer(Pod(), container, "c1", Origin);
        time.Advance(TimeSpan.Zero);
        time.AdvanceSeconds(seconds);

        Assert.Equal(attempts, FormatAttempts(prober.Attempts));
        Assert.Equal(changes, string.Join(' ', seen));
    }

    [Fact]
    public void IsReady_ReadinessProbe_FalseUntilFirstSuccessThenTrue()
    {
        var (time, prober, manager) = Start();
        prober.Script(ProbeKind.Readiness, "FS");
        manager.AddContainer(Pod(), Container(null, null, Probe("")), "c1", Origin);

        Assert.False(manager.IsReady("c1"));
        Assert.True(manager.IsStarted("c1"));
        time.Advance(TimeSpan.Zero);
        Assert.False(manager.IsReady("c1"));
        time.AdvanceSeconds(10);
        Assert.True(manager.IsReady("c1"));
    }

    [Fact]
    public void IsReady_NoReadinessProbeButStartupPending_FalseUntilStarted()
    {
        var (time, prober, manager) = Start();
        prober.Script(ProbeKind.Startup, "FS");
        manager.AddContainer(Pod(), Container(Probe("p2"), null, null), "c1", Origin);
        time.Advance(TimeSpan.Zero);

        Assert.False(manager.IsStarted("c1"));
        Assert.False(manager.IsReady("c1"));
        time.AdvanceSeconds(2);
        Assert.True(manager.IsStarted("c1"));
        Assert.True(manager.IsReady("c1"));
    }

    [Fact]
    public void IsReadyAndIsStarted_NoProbes_TrueAtOnce_UnknownIdFalse()
    {
        var (_, _, manager) = Start();
        manager.AddContainer(Pod(), Container(null, null, null), "c1", Origin);

        Assert.True(manager.IsReady("c1"));
        Assert.True(manager.IsStarted("c1"));
        Assert.False(manager.IsReady("nope"));
        Assert.False(manager.IsStarted("nope"));
    }

    [Fact]
    public void RemoveContainer_WhileProbing_StopsProbesAndForgetsResults()
    {
        var (time, prober, manager) = Start();
        manager.AddContainer(Pod(), Container(null, Probe(""), Probe("")), "c1", Origin);
        time.Advance(TimeSpan.Zero);
        time.AdvanceSeconds(10);
        Assert.Equal(4, prober.Attempts.Count);
        Assert.True(manager.IsReady("c1"));

        manager.RemoveContainer("c1");
        manager.RemoveContainer("c1");
        time.AdvanceSeconds(60);

        Assert.Equal(4, prober.Attempts.Count);
        Assert.False(manager.IsReady("c1"));
    }

    [Fact]
    public void AddContainer_SameIdTwice_ProbesOnce()
    {
        var (time, prober, manager) = Start();
        manager.AddContainer(Pod(), Container(null, null, Probe("")), "c1", Origin);
        manager.AddContainer(Pod(), Container(null, null, Probe("")), "c1", Origin);
        time.Advance(TimeSpan.Zero);
        time.AdvanceSeconds(10);

        Assert.Equal(2, prober.Attempts.Count);
    }

    [Fact]
    public void ProbeChanged_LivenessFailure_CarriesMessageAndProbeGracePeriod()
    {
        var (time, prober, manager) = Start();
        prober.Script(ProbeKind.Liveness, "F");
        var events = new List<ProbeEvent>();
        manager.ProbeChanged += events.Add;
        manager.AddContainer(Pod(), Container(null, Probe("f2 g7"), null), "c1", Origin);
        time.Advance(TimeSpan.Zero);
        time.AdvanceSeconds(30);

        var failed = Assert.Single(events);
        Assert.Equal(new ProbeEvent("uid-1", "app", "c1", ProbeKind.Liveness, false, "Liveness probe failed: attempt 2 failed") { KillGracePeriodSeconds = 7 }, failed);
    }

    [Fact]
    public void ProbeChanged_ReadinessFailure_HasNoGracePeriod()
    {
        var (time, prober, manager) = Start();
        prober.Script(ProbeKind.Readiness, "SF");
        var events = new List<ProbeEvent>();
        manager.ProbeChanged += events.Add;
        manager.AddContainer(Pod(), Container(null, null, Probe("f1 g7")), "c1", Origin);
        time.Advance(TimeSpan.Zero);
        time.AdvanceSeconds(10);

        Assert.Equal([true, false], events.Select(e => e.Healthy));
        Assert.Equal("Readiness probe failed: attempt 2 failed", events[1].Message);
        Assert.Null(events[1].KillGracePeriodSeconds);
    }

    [Fact]
    public void RecordEvent_EachFailedOrWarnedAttempt_UpstreamReasonAndMessage()
    {
        var time = new ManualTimeProvider(Origin);
        var prober = new ScriptedProber(time, Origin);
        prober.Script(ProbeKind.Readiness, "FWES");
        var recorded = new List<ContainerEvent>();
        using var manager = new ProbeManager(prober, time, null, recorded.Add, () => 0);
        manager.AddContainer(Pod(), Container(null, null, Probe("")), "c1", Origin);
        time.Advance(TimeSpan.Zero);
        time.AdvanceSeconds(40);

        Assert.Equal(
            [
                ("Unhealthy", "Readiness probe failed: attempt 1 failed"),
                ("ProbeWarning", "Readiness probe warning: redirected"),
                ("Unhealthy", "Readiness probe errored and resulted in unknown state: broken"),
            ],
            recorded.Select(e => (e.Reason, e.Message)));
        Assert.All(recorded, e => Assert.Equal("Warning", e.Type));
        var reference = recorded[0].InvolvedObject();
        Assert.Equal(("Pod", "web", "default", "uid-1", "spec.containers{app}"), (reference.Kind, reference.Name, reference.NamespaceProperty, reference.Uid, reference.FieldPath));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ProbeChanged_LivenessFailure_SaysWhetherTheAttemptsWereRecorded(bool withSink)
    {
        var time = new ManualTimeProvider(Origin);
        var prober = new ScriptedProber(time, Origin);
        prober.Script(ProbeKind.Liveness, "FFF");
        var recorded = new List<ContainerEvent>();
        using var manager = new ProbeManager(prober, time, null, withSink ? recorded.Add : null, () => 0);
        var changes = new List<ProbeEvent>();
        manager.ProbeChanged += changes.Add;
        manager.AddContainer(Pod(), Container(null, Probe(""), null), "c1", Origin);
        time.Advance(TimeSpan.Zero);
        time.AdvanceSeconds(40);

        var failed = Assert.Single(changes, c => !c.Healthy);
        Assert.Equal(withSink, failed.AttemptsRecorded);
        Assert.Equal(withSink ? 3 : 0, recorded.Count(e => e.Reason == "Unhealthy"));
    }

    [Fact]
    public void ProbeChanged_HandlerThrows_ProbingGoesOn()
    {
        var (time, prober, manager) = Start();
        prober.Script(ProbeKind.Readiness, "SFFFS");
        manager.ProbeChanged += _ => throw new InvalidOperationException("handler bug");
        manager.AddContainer(Pod(), Container(null, null, Probe("")), "c1", Origin);
        time.Advance(TimeSpan.Zero);
        time.AdvanceSeconds(40);

        Assert.Equal(5, prober.Attempts.Count);
        Assert.True(manager.IsReady("c1"));
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.5, 5)]
    [InlineData(0.99, 9)]
    public void AddContainer_ReadoptedAfterAgentRestart_FirstProbeSpreadOverOnePeriod(double jitter, int firstSecond)
    {
        var time = new ManualTimeProvider(Origin);
        var prober = new ScriptedProber(time, Origin);
        using var manager = new ProbeManager(prober, time, null, null, () => jitter);

        manager.AddContainer(Pod(), Container(null, null, Probe("")), "c1", Origin - TimeSpan.FromMinutes(5));
        time.Advance(TimeSpan.Zero);
        time.AdvanceSeconds(10);

        Assert.Equal(firstSecond, prober.Attempts[0].Second);
    }

    [Fact]
    public void AddContainer_StartedEarlierButAfterTheManager_InitialDelayCountsFromStart()
    {
        var (time, prober, manager) = Start();
        time.AdvanceSeconds(20);

        // Started 8 s ago, delay 10 s: the first probe is due in 2 s.
        manager.AddContainer(Pod(), Container(null, null, Probe("d10")), "c1", Origin + TimeSpan.FromSeconds(12));
        time.AdvanceSeconds(5);

        Assert.Equal([(ProbeKind.Readiness, 22)], prober.Attempts);
    }

    [Fact]
    public async Task Worker_AttemptOutlastsPeriod_NoOverlapAndNextAttemptAtOnce()
    {
        var time = new ManualTimeProvider(Origin);
        var gate = new GatedProber();
        using var manager = new ProbeManager(gate, time, null, null, () => 0);
        manager.AddContainer(Pod(), Container(null, null, Probe("p2")), "c1", Origin);
        // Off the test's synchronization context, so the worker's continuation runs inside Release.
        await Task.Run(() => time.Advance(TimeSpan.Zero));
        Assert.Equal(1, gate.Started);

        // Three periods pass while the first attempt hangs: no second attempt starts.
        await Task.Run(() => time.AdvanceSeconds(6));
        Assert.Equal(1, gate.Started);

        // It finishes late: the next attempt is overdue, so it is due at once.
        await Task.Run(() => gate.Release(ProbeResult.Success()));
        Assert.True(manager.IsReady("c1"));
        await Task.Run(() => time.Advance(TimeSpan.Zero));
        Assert.Equal(2, gate.Started);
    }

    internal static V1Pod Pod() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = "uid-1" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "app" }] },
        Status = new V1PodStatus { PodIP = "127.0.0.1" },
    };

    internal static V1Container Container(V1Probe? startup, V1Probe? liveness, V1Probe? readiness) => new()
    {
        Name = "app",
        StartupProbe = startup,
        LivenessProbe = liveness,
        ReadinessProbe = readiness,
    };

    /// <summary>A probe from "d15 p5 s3 f2 g7" (null stays null: no probe of that kind).</summary>
    internal static V1Probe? Probe(string? spec)
    {
        if (spec is null)
        {
            return null;
        }

        var probe = new V1Probe { Exec = new V1ExecAction { Command = ["true"] } };
        foreach (var field in spec.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var value = int.Parse(field[1..], CultureInfo.InvariantCulture);
            switch (field[0])
            {
                case 'd': probe.InitialDelaySeconds = value; break;
                case 'p': probe.PeriodSeconds = value; break;
                case 's': probe.SuccessThreshold = value; break;
                case 'f': probe.FailureThreshold = value; break;
                case 'g': probe.TerminationGracePeriodSeconds = value; break;
                default: throw new ArgumentException($"unknown probe field {field}");
            }
        }

        return probe;
    }

    private static (ManualTimeProvider Time, ScriptedProber Prober, ProbeManager Manager) Start()
    {
        var time = new ManualTimeProvider(Origin);
        var prober = new ScriptedProber(time, Origin);
        return (time, prober, new ProbeManager(prober, time, null, null, () => 0));
    }

    private static string FormatAttempts(List<(ProbeKind Kind, int Second)> attempts) =>
        string.Join(';', new[] { ProbeKind.Startup, ProbeKind.Liveness, ProbeKind.Readiness }
            .Select(k => $"{k.ToString()[0]}:{string.Join(',', attempts.Where(a => a.Kind == k).Select(a => a.Second))}"));

    /// <summary>A prober whose attempts end only when the test says so (the worker continues inside <see cref="Release"/>).</summary>
    private sealed class GatedProber : IProber
    {
        private TaskCompletionSource<ProbeResult> _pending = new();

        public int Started { get; private set; }

        public Task<ProbeResult> ProbeAsync(V1Pod pod, V1Container container, string containerId, V1Probe probe, CancellationToken cancellationToken)
        {
            Started++;
            _pending = new TaskCompletionSource<ProbeResult>();
            return _pending.Task;
        }

        public void Release(ProbeResult result) => _pending.SetResult(result);
    }
}
