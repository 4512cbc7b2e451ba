using k8s.Models;
using Stevedore.Cri.V1;
using Stevedore.Kubelet.Probes;
using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet.NodeTests;

/// <summary>
/// Stand-ins for the volume, environment, probe and hook parts (built on other branches) for pods
/// that use none of them: no volumes, literal env values only, no probes, no hooks. A pod that
/// needs more is refused loudly rather than run half-configured.
/// </summary>
public sealed class NoVolumes : IVolumeManager
{
    public int TearDowns { get; private set; }

    public Task SetUpAsync(V1Pod pod, CancellationToken cancellationToken) =>
        pod.Spec?.Volumes is { Count: > 0 }
            ? throw new PodConfigException("FailedMount", "this test double mounts no volumes")
            : Task.CompletedTask;

    public IReadOnlyList<Mount> MountsFor(V1Pod pod, V1Container container, IReadOnlyList<KeyValue>? environment = null) => [];

    public Task RefreshAsync(V1Pod pod, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task TearDownAsync(string podUid, CancellationToken cancellationToken)
    {
        TearDowns++;
        return Task.CompletedTask;
    }
}

public sealed class LiteralEnvironment : IEnvironmentResolver
{
    public Task<IReadOnlyList<KeyValue>> ResolveAsync(V1Pod pod, V1Container container, CancellationToken cancellationToken)
    {
        if (container.EnvFrom is { Count: > 0 } || container.Env?.Any(e => e.ValueFrom is not null) == true)
        {
            throw new PodConfigException("CreateContainerConfigError", "this test double resolves literal values only");
        }

        IReadOnlyList<KeyValue> env = [.. (container.Env ?? []).Select(e => new KeyValue { Key = e.Name, Value = e.Value ?? "" })];
        return Task.FromResult(env);
    }
}

public sealed class NoProbes : IProbeManager
{
    public event Action<ProbeEvent>? ProbeChanged;

    public void AddContainer(V1Pod pod, V1Container container, string containerId, DateTimeOffset startedAt)
    {
    }

    public void RemoveContainer(string containerId)
    {
    }

    public bool IsReady(string containerId) => true;

    public bool IsStarted(string containerId) => true;

    /// <summary>Lets a test play a failing liveness probe.</summary>
    public void Raise(ProbeEvent probe) => ProbeChanged?.Invoke(probe);
}

public sealed class NoHooks : ILifecycleHookRunner
{
    public Task<string?> RunAsync(V1Pod pod, V1Container container, string containerId, V1LifecycleHandler handler, CancellationToken cancellationToken) =>
        Task.FromResult<string?>("this test double runs no hooks");
}
