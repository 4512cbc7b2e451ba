using k8s.Models;

namespace Stevedore.Kubelet.Probes;

/// <summary>The probe workers of one container instance and the lock their results share.</summary>
internal sealed class ContainerProbes(V1Pod pod, V1Container container, string id, DateTimeOffset startedAt)
{
    public V1Pod Pod { get; } = pod;

    public V1Container Container { get; } = container;

    public string Id { get; } = id;

    public DateTimeOffset StartedAt { get; } = startedAt;

    /// <summary>Filled before any worker starts, read-only afterwards.</summary>
    public Dictionary<ProbeKind, ProbeWorker> Workers { get; } = [];

    /// <summary>Guards every worker's thresholds and timer state.</summary>
    public object Gate { get; } = new();

    /// <summary>Set (under <see cref="Gate"/>) when the container is removed.</summary>
    public bool Stopped { get; private set; }

    /// <summary>No startup probe, or it has passed.</summary>
    public bool IsStarted
    {
        get
        {
            lock (Gate)
            {
                return StartedLocked;
            }
        }
    }

    /// <summary>Started, and no readiness probe or it passes.</summary>
    public bool IsReady
    {
        get
        {
            lock (Gate)
            {
                return StartedLocked && (!Workers.TryGetValue(ProbeKind.Readiness, out var readiness) || readiness.Thresholds.Result == true);
            }
        }
    }

    /// <summary><see cref="IsStarted"/> for a caller holding <see cref="Gate"/>.</summary>
    public bool StartedLocked => !Workers.TryGetValue(ProbeKind.Startup, out var startup) || startup.Thresholds.Result == true;

    public void Stop()
    {
        lock (Gate)
        {
            Stopped = true;
        }

        foreach (var worker in Workers.Values)
        {
            worker.Stop();
        }
    }
}
