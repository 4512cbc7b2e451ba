using System.Collections.Concurrent;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Stevedore.Kubelet.Probes;

/// <summary>
/// <see cref="IProbeManager"/> with one timer-driven worker per container instance and probe kind.
/// A worker's first probe is due <c>initialDelaySeconds</c> after the container started (at once if
/// that is past; spread over one period for containers the agent re-adopted after a restart, so they
/// are not all probed in the same instant), then every <c>periodSeconds</c>. Liveness and readiness do
/// not probe until the startup probe has passed; readiness is probed right when it does. Each failed
/// attempt is reported as an Unhealthy <see cref="ContainerEvent"/>, each threshold crossing as a
/// <see cref="ProbeEvent"/>. All timing comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class ProbeManager : IProbeManager, IDisposable
{
    private readonly IProber _prober;
    private readonly IDisposable? _ownedProber;
    private readonly Action<ContainerEvent>? _recordEvent;
    private readonly Func<double> _jitter;
    private readonly DateTimeOffset _createdAt;
    private readonly ConcurrentDictionary<string, ContainerProbes> _containers = new(StringComparer.Ordinal);

    /// <param name="exec">Runs exec probes in containers (CRI ExecSync).</param>
    /// <param name="time">The clock for probe scheduling.</param>
    /// <param name="logger">Where failures of event handlers are logged.</param>
    /// <param name="recordEvent">Receives an event per failed attempt (Unhealthy) or warning (ProbeWarning), as upstream records them.</param>
    public ProbeManager(IContainerExec exec, TimeProvider? time = null, ILogger? logger = null, Action<ContainerEvent>? recordEvent = null)
        : this(new Prober(exec), time, logger, recordEvent, Random.Shared.NextDouble)
    {
        _ownedProber = (Prober)_prober;
    }

    internal ProbeManager(IProber prober, TimeProvider? time, ILogger? logger, Action<ContainerEvent>? recordEvent, Func<double> jitter)
    {
        _prober = prober;
        Time = time ?? TimeProvider.System;
        Logger = logger ?? NullLogger.Instance;
        _recordEvent = recordEvent;
        _jitter = jitter;
        _createdAt = Time.GetUtcNow();
    }

    public event Action<ProbeEvent>? ProbeChanged;

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    internal IProber Prober => _prober;

    public void AddContainer(V1Pod pod, V1Container container, string containerId, DateTimeOffset startedAt)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        var probes = new ContainerProbes(pod, container, containerId, startedAt);
        if (!_containers.TryAdd(containerId, probes))
        {
            return;
        }

        foreach (var (kind, spec) in new[] { (ProbeKind.Startup, container.StartupProbe), (ProbeKind.Liveness, container.LivenessProbe), (ProbeKind.Readiness, container.ReadinessProbe) })
        {
            if (spec is not null)
            {
                probes.Workers[kind] = new ProbeWorker(this, probes, kind, spec, ProbeSettings.Of(spec, kind));
            }
        }

        var now = Time.GetUtcNow();
        foreach (var worker in probes.Workers.Values)
        {
            worker.Start(FirstDelay(worker.Settings, startedAt, now));
        }
    }

    public void RemoveContainer(string containerId)
    {
        if (_containers.TryRemove(containerId, out var probes))
        {
            probes.Stop();
        }
    }

    public bool IsReady(string containerId) => _containers.TryGetValue(containerId, out var probes) && probes.IsReady;

    public bool IsStarted(string containerId) => _containers.TryGetValue(containerId, out var probes) && probes.IsStarted;

    /// <summary>Stops every worker.</summary>
    public void Dispose()
    {
        foreach (var id in _containers.Keys)
        {
            RemoveContainer(id);
        }

        _ownedProber?.Dispose();
    }

    /// <summary>
    /// When the first probe is due: initialDelaySeconds after the container started, or now if that has
    /// passed. A container that was running before this manager existed (re-adopted after an agent
    /// restart) waits a random part of one period instead, as upstream spreads probes after a restart.
    /// </summary>
    internal TimeSpan FirstDelay(ProbeSettings settings, DateTimeOffset startedAt, DateTimeOffset now)
    {
        var due = startedAt + settings.InitialDelay;
        if (due <= now && startedAt < _createdAt)
        {
            return settings.Period * _jitter();
        }

        return due > now ? due - now : TimeSpan.Zero;
    }

    /// <summary>Counts one attempt's result and tells the pod worker and the event recorder what changed.</summary>
    internal void Apply(ProbeWorker worker, ProbeResult result)
    {
        var probes = worker.Probes;
        var kindName = worker.Kind.ToString();
        var attemptEvent = result.Outcome switch
        {
            ProbeOutcome.Failure => new ContainerEvent(probes.Pod, probes.Container.Name, probes.Id, "Warning", "Unhealthy", $"{kindName} probe failed: {result.Output}"),
            ProbeOutcome.Warning => new ContainerEvent(probes.Pod, probes.Container.Name, probes.Id, "Warning", "ProbeWarning", $"{kindName} probe warning: {result.Output}"),
            ProbeOutcome.Error => new ContainerEvent(probes.Pod, probes.Container.Name, probes.Id, "Warning", "Unhealthy", $"{kindName} probe errored and resulted in unknown state: {result.Output}"),
            _ => null,
        };

        ProbeEvent? change = null;
        ProbeWorker? wake = null;
        lock (probes.Gate)
        {
            if (probes.Stopped)
            {
                return;
            }

            // An attempt that could not run counts neither way (upstream throws its result away).
            if (result.Outcome != ProbeOutcome.Error && worker.Thresholds.Record(result.Passed))
            {
                var healthy = worker.Thresholds.Result == true;
                change = new ProbeEvent(probes.Pod.Metadata?.Uid ?? "", probes.Container.Name, probes.Id, worker.Kind, healthy, healthy ? "" : $"{kindName} probe failed: {result.Output}")
                {
                    KillGracePeriodSeconds = healthy ? null : worker.Settings.TerminationGracePeriodSeconds,
                    AttemptsRecorded = _recordEvent is not null,
                };
                if (worker.Kind == ProbeKind.Startup && healthy)
                {
                    probes.Workers.TryGetValue(ProbeKind.Readiness, out wake);
                }
            }
        }

        if (attemptEvent is not null && _recordEvent is not null)
        {
            try
            {
                _recordEvent(attemptEvent);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(Logger, probes.Pod.Metadata?.NamespaceProperty, probes.Pod.Metadata?.Name, probes.Container.Name, ex);
            }
        }

        if (change is not null)
        {
            LogResultChanged(Logger, probes.Pod.Metadata?.NamespaceProperty, probes.Pod.Metadata?.Name, probes.Container.Name, kindName, change.Healthy);
            try
            {
                ProbeChanged?.Invoke(change);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(Logger, probes.Pod.Metadata?.NamespaceProperty, probes.Pod.Metadata?.Name, probes.Container.Name, ex);
            }
        }

        wake?.Wake();
    }
}
