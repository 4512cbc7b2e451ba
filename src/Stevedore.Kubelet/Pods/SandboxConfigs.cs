using System.Globalization;
using k8s.Models;
using Stevedore.Cri.V1;

namespace Stevedore.Kubelet.Pods;

/// <summary>The CRI PodSandboxConfig of a pod: identity, hostname, logs, DNS, host ports, namespaces, labels.</summary>
public static class SandboxConfigs
{
    /// <summary>The longest hostname Linux accepts.</summary>
    public const int MaxHostnameLength = 63;

    public static PodSandboxConfig For(V1Pod pod, uint attempt, string podLogsDir, DNSConfig dns)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var meta = pod.Metadata;
        var spec = pod.Spec ?? new V1PodSpec();
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = meta.Name, Namespace = NamespaceOf(pod), Uid = meta.Uid, Attempt = attempt },
            // A host-network pod keeps the node's hostname (its UTS namespace is the node's).
            Hostname = spec.HostNetwork == true ? "" : Hostname(pod),
            LogDirectory = LogDirectory(podLogsDir, pod),
            DnsConfig = dns,
            Linux = new LinuxPodSandboxConfig
            {
                SecurityContext = new LinuxSandboxSecurityContext
                {
                    NamespaceOptions = new NamespaceOption
                    {
                        Network = spec.HostNetwork == true ? NamespaceMode.Node : NamespaceMode.Pod,
                        // As upstream: POD for shareProcessNamespace, which tells the runtime the pod needs one PID
                        // namespace held for it (a pause process); CONTAINER lets a runtime run none (CRI-O, Stevedore).
                        Pid = spec.HostPID == true ? NamespaceMode.Node : spec.ShareProcessNamespace == true ? NamespaceMode.Pod : NamespaceMode.Container,
                        Ipc = spec.HostIPC == true ? NamespaceMode.Node : NamespaceMode.Pod,
                    },
                },
            },
        };
        var security = spec.SecurityContext;
        if (security?.RunAsUser is { } user)
        {
            config.Linux.SecurityContext.RunAsUser = new Int64Value { Value = user };
        }

        if (security?.RunAsGroup is { } group)
        {
            config.Linux.SecurityContext.RunAsGroup = new Int64Value { Value = group };
        }

        foreach (var sysctl in security?.Sysctls ?? [])
        {
            config.Linux.Sysctls[sysctl.Name] = sysctl.Value;
        }

        config.PortMappings.AddRange(PortMappings(spec));
        foreach (var (key, value) in meta.Labels ?? new Dictionary<string, string>())
        {
            config.Labels[key] = value;
        }

        config.Labels[CriLabels.PodName] = meta.Name;
        config.Labels[CriLabels.PodNamespace] = NamespaceOf(pod);
        config.Labels[CriLabels.PodUid] = meta.Uid;
        foreach (var (key, value) in meta.Annotations ?? new Dictionary<string, string>())
        {
            config.Annotations[key] = value;
        }

        return config;
    }

    /// <summary>spec.hostname, else the pod's name, cut to 63 characters without a trailing '-' or '.'.</summary>
    public static string Hostname(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var name = string.IsNullOrEmpty(pod.Spec?.Hostname) ? pod.Metadata.Name : pod.Spec.Hostname;
        return name.Length <= MaxHostnameLength ? name : name[..MaxHostnameLength].TrimEnd('-', '.');
    }

    /// <summary>The pod's fully qualified name when it has a subdomain: <c>host.subdomain.ns.svc.domain</c>; null otherwise.</summary>
    public static string? Fqdn(V1Pod pod, string clusterDomain)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return string.IsNullOrEmpty(pod.Spec?.Subdomain) ? null : $"{Hostname(pod)}.{pod.Spec.Subdomain}.{NamespaceOf(pod)}.svc.{clusterDomain}";
    }

    /// <summary>Upstream's pod log folder: <c>&lt;root&gt;/&lt;namespace&gt;_&lt;name&gt;_&lt;uid&gt;</c>.</summary>
    public static string LogDirectory(string podLogsDir, V1Pod pod) =>
        Path.Combine(podLogsDir, $"{NamespaceOf(pod)}_{pod.Metadata.Name}_{pod.Metadata.Uid}");

    /// <summary>A container's log file inside the pod's folder: <c>&lt;container&gt;/&lt;restartCount&gt;.log</c>.</summary>
    public static string ContainerLogPath(string containerName, int restartCount) =>
        Path.Combine(containerName, restartCount.ToString(CultureInfo.InvariantCulture) + ".log");

    /// <summary>Every container port with a hostPort, init containers included, as upstream does.</summary>
    public static IEnumerable<PortMapping> PortMappings(V1PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var container in (spec.InitContainers ?? []).Concat(spec.Containers ?? []))
        {
            foreach (var port in container.Ports ?? [])
            {
                if (port.HostPort is not > 0)
                {
                    continue;
                }

                yield return new PortMapping
                {
                    Protocol = port.Protocol switch
                    {
                        "UDP" => Protocol.Udp,
                        "SCTP" => Protocol.Sctp,
                        _ => Protocol.Tcp,
                    },
                    ContainerPort = port.ContainerPort,
                    HostPort = port.HostPort.Value,
                    HostIp = port.HostIP ?? "",
                };
            }
        }
    }

    internal static string NamespaceOf(V1Pod pod) =>
        string.IsNullOrEmpty(pod.Metadata?.NamespaceProperty) ? "default" : pod.Metadata.NamespaceProperty;
}
