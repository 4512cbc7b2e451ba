using System.Globalization;
using k8s.Models;

namespace Stevedore.Kubelet.Node;

/// <summary>What the container runtime reported about itself and its images.</summary>
public sealed record RuntimeReport
{
    /// <summary><c>name://version</c>, e.g. <c>stevedore://0.1.0</c> or <c>containerd://1.6.20</c>.</summary>
    public string Version { get; init; } = "";

    /// <summary>Null when the runtime is healthy, else why the node is not ready.</summary>
    public string? NotReadyMessage { get; init; }

    public IReadOnlyList<V1ContainerImage> Images { get; init; } = [];
}

/// <summary>The Node object and its status as a kubelet reports them (pure).</summary>
public static class NodeStatusBuilder
{
    /// <summary>The kubelet version the agent reports (the API it implements).</summary>
    public const string KubeletVersion = "v1.33.0";

    /// <summary>Upstream reports at most this many images in node status.</summary>
    public const int MaxImages = 50;

    /// <summary>Memory pressure below this much available memory (upstream's eviction default).</summary>
    public const long MemoryPressureBytes = 100L * 1024 * 1024;

    /// <summary>Disk pressure below this share of the data filesystem free (upstream's nodefs.available default).</summary>
    public const double DiskPressureFraction = 0.10;

    /// <summary>PID pressure above this share of pid_max in use.</summary>
    public const double PidPressureFraction = 0.90;

    public const string ControlPlaneLabel = "node-role.kubernetes.io/control-plane";

    /// <summary>The labels a kubelet sets on its own node.</summary>
    public static Dictionary<string, string> Labels(KubeletOptions options, MachineSnapshot machine)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(machine);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["kubernetes.io/hostname"] = options.NodeName,
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = machine.Architecture,
            ["beta.kubernetes.io/os"] = "linux",
            ["beta.kubernetes.io/arch"] = machine.Architecture,
        };
        if (options.ControlPlane)
        {
            labels[ControlPlaneLabel] = "";
        }

        foreach (var (key, value) in options.NodeLabels)
        {
            labels[key] = value;
        }

        return labels;
    }

    /// <summary>A new Node with its labels and status.</summary>
    public static V1Node Build(KubeletOptions options, MachineSnapshot machine, RuntimeReport runtime, string nodeIp, DateTime now) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta { Name = options.NodeName, Labels = Labels(options, machine) },
        Spec = new V1NodeSpec(),
        Status = Status(options, machine, runtime, nodeIp, now, previous: null),
    };

    /// <summary>
    /// The node status at <paramref name="now"/>: capacity = allocatable from the machine, the four
    /// conditions (heartbeat times move, transition times stay while a condition keeps its status),
    /// addresses, daemon endpoint, system info and the runtime's images (largest first).
    /// </summary>
    public static V1NodeStatus Status(KubeletOptions options, MachineSnapshot machine, RuntimeReport runtime, string nodeIp, DateTime now, V1NodeStatus? previous)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(runtime);
        var capacity = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal)
        {
            ["cpu"] = new(machine.Cpus.ToString(CultureInfo.InvariantCulture)),
            ["memory"] = new(Kibibytes(machine.MemoryBytes)),
            ["pods"] = new(options.MaxPods.ToString(CultureInfo.InvariantCulture)),
            ["ephemeral-storage"] = new(Kibibytes(machine.StorageBytes)),
        };
        var memoryPressure = machine.MemoryBytes > 0 && machine.MemoryAvailableBytes < MemoryPressureBytes;
        var diskPressure = machine.StorageBytes > 0 && machine.StorageAvailableBytes < machine.StorageBytes * DiskPressureFraction;
        var pidPressure = machine.PidMax > 0 && machine.ProcessCount > machine.PidMax * PidPressureFraction;
        var seconds = Seconds(now);
        return new V1NodeStatus
        {
            Capacity = capacity,
            Allocatable = new Dictionary<string, ResourceQuantity>(capacity, StringComparer.Ordinal),
            Conditions =
            [
                Condition(previous, "MemoryPressure", memoryPressure, memoryPressure ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory",
                    memoryPressure ? "kubelet has insufficient memory available" : "kubelet has sufficient memory available", seconds),
                Condition(previous, "DiskPressure", diskPressure, diskPressure ? "KubeletHasDiskPressure" : "KubeletHasNoDiskPressure",
                    diskPressure ? "kubelet has disk pressure" : "kubelet has no disk pressure", seconds),
                Condition(previous, "PIDPressure", pidPressure, pidPressure ? "KubeletHasInsufficientPID" : "KubeletHasSufficientPID",
                    pidPressure ? "kubelet has insufficient PID available" : "kubelet has sufficient PID available", seconds),
                runtime.NotReadyMessage is null
                    ? Condition(previous, "Ready", true, "KubeletReady", "kubelet is posting ready status", seconds)
                    : Condition(previous, "Ready", false, "KubeletNotReady", runtime.NotReadyMessage, seconds),
            ],
            Addresses =
            [
                new V1NodeAddress { Type = "InternalIP", Address = nodeIp },
                new V1NodeAddress { Type = "Hostname", Address = options.NodeName },
            ],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = options.KubeletPort } },
            NodeInfo = new V1NodeSystemInfo
            {
                MachineID = machine.MachineId,
                SystemUUID = machine.SystemUuid,
                BootID = machine.BootId,
                KernelVersion = machine.KernelVersion,
                OsImage = machine.OsImage,
                ContainerRuntimeVersion = runtime.Version,
                KubeletVersion = KubeletVersion,
                KubeProxyVersion = KubeletVersion,
                OperatingSystem = "linux",
                Architecture = machine.Architecture,
            },
            Images = [.. runtime.Images.OrderByDescending(i => i.SizeBytes ?? 0).ThenBy(i => i.Names?.FirstOrDefault(), StringComparer.Ordinal).Take(MaxImages)],
        };
    }

    /// <summary>
    /// Whether a new status differs from the stored one in anything but heartbeat times (then it is
    /// written at once; otherwise only when the report interval is up).
    /// </summary>
    public static bool DiffersIgnoringHeartbeats(V1NodeStatus? stored, V1NodeStatus computed)
    {
        ArgumentNullException.ThrowIfNull(computed);
        if (stored is null)
        {
            return true;
        }

        static string Key(V1NodeStatus status) => k8s.KubernetesJson.Serialize(new V1NodeStatus
        {
            Capacity = status.Capacity,
            Allocatable = status.Allocatable,
            Conditions = status.Conditions?.Select(c => new V1NodeCondition { Type = c.Type, Status = c.Status, Reason = c.Reason, Message = c.Message }).ToList(),
            Addresses = status.Addresses,
            DaemonEndpoints = status.DaemonEndpoints,
            NodeInfo = status.NodeInfo,
            Images = status.Images,
        });

        return Key(stored) != Key(computed);
    }

    private static V1NodeCondition Condition(V1NodeStatus? previous, string type, bool value, string reason, string message, DateTime now)
    {
        var status = value ? "True" : "False";
        var old = previous?.Conditions?.FirstOrDefault(c => c.Type == type);
        return new V1NodeCondition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            LastHeartbeatTime = now,
            LastTransitionTime = old is not null && old.Status == status && old.LastTransitionTime is { } t ? t : now,
        };
    }

    private static string Kibibytes(long bytes) => (bytes / 1024).ToString(CultureInfo.InvariantCulture) + "Ki";

    private static DateTime Seconds(DateTime time)
    {
        var utc = DateTime.SpecifyKind(time, DateTimeKind.Utc);
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }
}
