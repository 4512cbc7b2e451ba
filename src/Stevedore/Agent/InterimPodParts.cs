using k8s.Models;
using Stevedore.Cri.V1;
using Stevedore.Kubelet;
using Stevedore.Kubelet.Pods;
using Stevedore.Kubelet.Probes;
using Stevedore.Kubelet.Volumes;

namespace Stevedore.Agent;

/// <summary>
/// What the agent uses for volumes, environment, probes and hooks until their own implementations
/// (Stevedore.Kubelet/Volumes and /Probes) are wired here. They refuse what they cannot do, loudly:
/// a pod with volumes gets FailedMount, an env var from a ConfigMap or Secret gets
/// CreateContainerConfigError, a lifecycle hook fails with an event. Probes are not run: a running
/// container counts as started and ready.
/// </summary>
internal static class InterimPodParts
{
    public static KubeletDependencies Create() =>
        new(new NoVolumeSupport(), new LiteralEnvironment(), new NoProbing(), new NoHookSupport());

    private sealed class NoVolumeSupport : IVolumeManager
    {
        public Task SetUpAsync(V1Pod pod, CancellationToken cancellationToken) =>
            pod.Spec?.Volumes is { Count: > 0 } volumes
                ? throw new PodConfigException("FailedMount", $"MountVolume.SetUp failed for volume \"{volumes[0].Name}\" : volumes are not supported by this build of the agent yet")
                : Task.CompletedTask;

        public IReadOnlyList<Mount> MountsFor(V1Pod pod, V1Container container) => [];

        public Task RefreshAsync(V1Pod pod, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task TearDownAsync(string podUid, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class LiteralEnvironment : IEnvironmentResolver
    {
        public Task<IReadOnlyList<KeyValue>> ResolveAsync(V1Pod pod, V1Container container, CancellationToken cancellationToken)
        {
            if (container.EnvFrom is { Count: > 0 } || container.Env?.FirstOrDefault(e => e.ValueFrom is not null) is not null)
            {
                throw new PodConfigException("CreateContainerConfigError", "env valueFrom and envFrom are not supported by this build of the agent yet");
            }

            var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
            var env = new List<KeyValue>();
            foreach (var variable in container.Env ?? [])
            {
                var value = CommandExpansion.Expand(variable.Value ?? "", resolved);
                resolved[variable.Name] = value;
                env.Add(new KeyValue { Key = variable.Name, Value = value });
            }

            return Task.FromResult<IReadOnlyList<KeyValue>>(env);
        }
    }

    private sealed class NoProbing : IProbeManager
    {
        public event Action<ProbeEvent>? ProbeChanged
        {
            add { }
            remove { }
        }

        public void AddContainer(V1Pod pod, V1Container container, string containerId, DateTimeOffset startedAt)
        {
        }

        public void RemoveContainer(string containerId)
        {
        }

        public bool IsReady(string containerId) => true;

        public bool IsStarted(string containerId) => true;
    }

    private sealed class NoHookSupport : ILifecycleHookRunner
    {
        public Task<string?> RunAsync(V1Pod pod, V1Container container, string containerId, V1LifecycleHandler handler, CancellationToken cancellationToken) =>
            Task.FromResult<string?>($"lifecycle hooks are not supported by this build of the agent yet (container {container.Name})");
    }
}
