using k8s.Models;

namespace Stevedore.Kubelet.Probes;

/// <summary>
/// Probes one container instance for one probe kind on a timer: one attempt at a time, the next due one
/// period after the previous began (at once if the attempt outlasted the period). Stops for good when
/// the container is removed, when liveness or startup has failed (the container is about to be
/// restarted under a new ID), or when startup has passed (it is never probed again).
/// </summary>
internal sealed class ProbeWorker(ProbeManager manager, ContainerProbes probes, ProbeKind kind, V1Probe spec, ProbeSettings settings)
{
    private readonly CancellationTokenSource _stop = new();
    private ITimer? _timer;
    private bool _probing;
    private bool _stopped;

    public ContainerProbes Probes { get; } = probes;

    public ProbeKind Kind { get; } = kind;

    public ProbeSettings Settings { get; } = settings;

    public ProbeThresholds Thresholds { get; } = new(kind, settings.SuccessThreshold, settings.FailureThreshold);

    public void Start(TimeSpan firstDelay)
    {
        lock (Probes.Gate)
        {
            if (_stopped)
            {
                return;
            }

            // Armed only after the field is set, so a callback never sees a null timer.
            _timer = manager.Time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(firstDelay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Probes now unless an attempt is running (used when startup passes, so readiness is known at once).</summary>
    public void Wake()
    {
        lock (Probes.Gate)
        {
            if (!_stopped && !_probing)
            {
                _timer?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Stop()
    {
        lock (Probes.Gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _timer?.Dispose();
        }

        // Not disposed: an attempt still in flight may hold the token.
        _stop.Cancel();
    }

    private void OnTimer()
    {
        lock (Probes.Gate)
        {
            if (_stopped || _probing)
            {
                return;
            }

            _probing = true;
        }

        _ = ProbeOnceAsync();
    }

    private async Task ProbeOnceAsync()
    {
        var began = manager.Time.GetUtcNow();
        var keepGoing = true;
        try
        {
            bool gated;
            CancellationToken token;
            lock (Probes.Gate)
            {
                // Liveness and readiness wait for the startup probe, as upstream.
                gated = Kind != ProbeKind.Startup && !Probes.StartedLocked;
                token = _stopped ? new CancellationToken(true) : _stop.Token;
            }

            if (!gated && !token.IsCancellationRequested)
            {
                ProbeResult result;
                try
                {
                    result = await manager.Prober.ProbeAsync(Probes.Pod, Probes.Container, Probes.Id, spec, token);
                }
                catch (Exception) when (token.IsCancellationRequested)
                {
                    // Removed mid-attempt: whatever the handler threw on the way out does not matter.
                    return;
                }
                catch (Exception ex)
                {
                    ProbeManager.LogProbeThrew(manager.Logger, Probes.Pod.Metadata?.NamespaceProperty, Probes.Pod.Metadata?.Name, Probes.Container.Name, Kind.ToString(), ex);
                    result = ProbeResult.Error(ex.Message);
                }

                manager.Apply(this, result);
                lock (Probes.Gate)
                {
                    keepGoing = !Thresholds.OnHold && !(Kind == ProbeKind.Startup && Thresholds.Result == true);
                }
            }
        }
        finally
        {
            lock (Probes.Gate)
            {
                _probing = false;
                if (!_stopped && keepGoing)
                {
                    var next = began + Settings.Period - manager.Time.GetUtcNow();
                    _timer?.Change(next > TimeSpan.Zero ? next : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }
}
