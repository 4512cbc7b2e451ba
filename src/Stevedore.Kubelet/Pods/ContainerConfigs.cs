using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using k8s.Models;
using Stevedore.Cri.V1;

namespace Stevedore.Kubelet.Pods;

/// <summary>The CRI ContainerConfig of one container of a pod (pure: env and mounts come resolved).</summary>
public static class ContainerConfigs
{
    /// <summary>The default grace period when the pod does not say.</summary>
    public const long DefaultTerminationGracePeriodSeconds = 30;

    /// <summary>The default terminationMessagePath.</summary>
    public const string DefaultTerminationMessagePath = "/dev/termination-log";

    public static ContainerConfig For(V1Pod pod, V1Container container, int restartCount, IReadOnlyList<KeyValue> env, IReadOnlyList<Mount> mounts)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(mounts);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in env)
        {
            variables[pair.Key] = pair.Value;
        }

        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = container.Name, Attempt = (uint)restartCount },
            Image = new ImageSpec { Image = container.Image ?? "", UserSpecifiedImage = container.Image ?? "" },
            WorkingDir = container.WorkingDir ?? "",
            LogPath = SandboxConfigs.ContainerLogPath(container.Name, restartCount),
            Stdin = container.Stdin == true,
            StdinOnce = container.StdinOnce == true,
            Tty = container.Tty == true,
            Linux = new LinuxContainerConfig
            {
                Resources = ContainerResources.For(container),
                SecurityContext = SecurityContextOf(pod.Spec ?? new V1PodSpec(), container),
            },
        };
        config.Command.AddRange((container.Command ?? []).Select(c => CommandExpansion.Expand(c, variables)));
        config.Args.AddRange((container.Args ?? []).Select(a => CommandExpansion.Expand(a, variables)));
        config.Envs.AddRange(env);
        config.Mounts.AddRange(mounts);
        config.Labels[CriLabels.ContainerName] = container.Name;
        config.Labels[CriLabels.PodName] = pod.Metadata.Name;
        config.Labels[CriLabels.PodNamespace] = SandboxConfigs.NamespaceOf(pod);
        config.Labels[CriLabels.PodUid] = pod.Metadata.Uid;
        config.Annotations[CriLabels.ContainerHash] = Hash(container);
        config.Annotations[CriLabels.ContainerRestartCount] = restartCount.ToString(CultureInfo.InvariantCulture);
        config.Annotations[CriLabels.PodTerminationGracePeriod] = GracePeriodSeconds(pod).ToString(CultureInfo.InvariantCulture);
        config.Annotations[CriLabels.TerminationMessagePath] = container.TerminationMessagePath ?? DefaultTerminationMessagePath;
        config.Annotations[CriLabels.TerminationMessagePolicy] = container.TerminationMessagePolicy ?? "File";
        return config;
    }

    /// <summary>
    /// The container-level security context over the pod-level one (user, group), with the
    /// container-only settings (privileged, capabilities, read-only root) and the namespace modes.
    /// </summary>
    public static LinuxContainerSecurityContext SecurityContextOf(V1PodSpec spec, V1Container container)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(container);
        var own = container.SecurityContext;
        var result = new LinuxContainerSecurityContext
        {
            Privileged = own?.Privileged == true,
            ReadonlyRootfs = own?.ReadOnlyRootFilesystem == true,
            NamespaceOptions = new NamespaceOption
            {
                Network = spec.HostNetwork == true ? NamespaceMode.Node : NamespaceMode.Pod,
                Pid = spec.HostPID == true ? NamespaceMode.Node : spec.ShareProcessNamespace == true ? NamespaceMode.Pod : NamespaceMode.Container,
                Ipc = spec.HostIPC == true ? NamespaceMode.Node : NamespaceMode.Pod,
            },
        };
        if ((own?.RunAsUser ?? spec.SecurityContext?.RunAsUser) is { } user)
        {
            result.RunAsUser = new Int64Value { Value = user };
        }

        if ((own?.RunAsGroup ?? spec.SecurityContext?.RunAsGroup) is { } group)
        {
            result.RunAsGroup = new Int64Value { Value = group };
        }

        if (own?.Capabilities is { } capabilities)
        {
            result.Capabilities = new Capability();
            result.Capabilities.AddCapabilities.AddRange(capabilities.Add ?? []);
            result.Capabilities.DropCapabilities.AddRange(capabilities.Drop ?? []);
        }

        return result;
    }

    /// <summary>
    /// A hash of the parts of a container's spec that make a running instance stale when they change
    /// (image is the only mutable one; the rest guards against a manifest edited in place).
    /// </summary>
    public static string Hash(V1Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var text = string.Join('\u0000', [
            container.Name,
            container.Image ?? "",
            string.Join('\u0001', container.Command ?? []),
            string.Join('\u0001', container.Args ?? []),
            container.WorkingDir ?? "",
        ]);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 8));
    }

    /// <summary>spec.terminationGracePeriodSeconds, or 30.</summary>
    public static long GracePeriodSeconds(V1Pod pod) =>
        pod.Spec?.TerminationGracePeriodSeconds is { } seconds and >= 0 ? seconds : DefaultTerminationGracePeriodSeconds;

    /// <summary>Whether an init container is a sidecar (restartPolicy Always): started before the app containers and kept running.</summary>
    public static bool IsSidecar(V1Container container) => container.RestartPolicy == "Always";
}
