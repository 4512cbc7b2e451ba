using k8s.Models;
using Stevedore.Kubelet.Probes;

namespace Stevedore.Kubelet.Tests.Probes;

/// <summary>
/// Answers probe attempts from a script per kind (S success, F failure, W warning, E error; the last
/// letter repeats once the script runs out) and records when each kind was probed. The probe spec's
/// kind is recognised by reference against the container's three probes.
/// </summary>
internal sealed class ScriptedProber(ManualTimeProvider time, DateTimeOffset origin) : IProber
{
    private readonly Dictionary<ProbeKind, string> _scripts = [];
    private readonly Dictionary<ProbeKind, int> _positions = [];

    public List<(ProbeKind Kind, int Second)> Attempts { get; } = [];

    public void Script(ProbeKind kind, string script) => _scripts[kind] = script;

    public Task<ProbeResult> ProbeAsync(V1Pod pod, V1Container container, string containerId, V1Probe probe, CancellationToken cancellationToken)
    {
        var kind = ReferenceEquals(probe, container.StartupProbe) ? ProbeKind.Startup
            : ReferenceEquals(probe, container.LivenessProbe) ? ProbeKind.Liveness
            : ProbeKind.Readiness;
        Attempts.Add((kind, (int)(time.GetUtcNow() - origin).TotalSeconds));
        var script = _scripts.GetValueOrDefault(kind, "S");
        var position = _positions.GetValueOrDefault(kind);
        _positions[kind] = position + 1;
        var letter = script[Math.Min(position, script.Length - 1)];
        return Task.FromResult(letter switch
        {
            'S' => ProbeResult.Success("ok"),
            'W' => ProbeResult.Warning("redirected"),
            'F' => ProbeResult.Failure($"attempt {position + 1} failed"),
            'E' => ProbeResult.Error("broken"),
            _ => throw new ArgumentException($"unknown script letter {letter}"),
        });
    }
}
