using Stevedore.Kubelet.Probes;
using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet;

/// <summary>
/// The parts of the agent that live in their own folders and are handed to the pod workers:
/// volumes and environment (<c>Volumes/</c>), probes and lifecycle hooks (<c>Probes/</c>).
/// </summary>
public sealed record KubeletDependencies(
    IVolumeManager Volumes,
    IEnvironmentResolver Environment,
    IProbeManager Probes,
    ILifecycleHookRunner Hooks);
