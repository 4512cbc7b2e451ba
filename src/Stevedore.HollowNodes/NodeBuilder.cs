using k8s.Models;

namespace Stevedore.HollowNodes;

/// <summary>The Node object and its status for a hollow node, as a real kubelet would report them.</summary>
public static class NodeBuilder
{
    /// <summary>The kubelet version hollow nodes claim.</summary>
    public const string KubeletVersion = "v1.33.0";

    /// <summary>The container runtime hollow nodes claim.</summary>
    public const string ContainerRuntimeVersion = "hollow://1.0";

    /// <summary>A new Node (metadata, empty spec, full status) for node <paramref name="index"/>.</summary>
    public static V1Node Build(HollowNodeOptions options, int index, DateTime now)
    {
        var name = options.NodeName(index);
        return new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta { Name = name, Labels = Labels(name) },
            Spec = new V1NodeSpec(),
            Status = Status(options, index, now, previous: null),
        };
    }

    /// <summary>The labels a kubelet sets on its node, plus the hollow marker.</summary>
    public static Dictionary<string, string> Labels(string nodeName) => new()
    {
        ["kubernetes.io/hostname"] = nodeName,
        ["kubernetes.io/os"] = "linux",
        ["kubernetes.io/arch"] = "amd64",
        ["beta.kubernetes.io/os"] = "linux",
        ["beta.kubernetes.io/arch"] = "amd64",
        [HollowAnnotations.HollowNodeLabel] = "true",
    };

    /// <summary>
    /// The node status at <paramref name="now"/>: heartbeat times move to now, transition times
    /// stay as in <paramref name="previous"/> while a condition's status is unchanged.
    /// </summary>
    public static V1NodeStatus Status(HollowNodeOptions options, int index, DateTime now, V1NodeStatus? previous)
    {
        var resources = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(options.Cpu),
            ["memory"] = new(options.Memory),
            ["pods"] = new(options.Pods.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ["ephemeral-storage"] = new(options.EphemeralStorage),
        };
        var name = options.NodeName(index);
        return new V1NodeStatus
        {
            Capacity = resources,
            Allocatable = new Dictionary<string, ResourceQuantity>(resources),
            Phase = null,
            Conditions =
            [
                Condition(previous, "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                Condition(previous, "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                Condition(previous, "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
                Condition(previous, "Ready", "True", "KubeletReady", "kubelet is posting ready status", now),
            ],
            Addresses =
            [
                new V1NodeAddress { Type = "InternalIP", Address = NodeAddressing.InternalIp(index) },
                new V1NodeAddress { Type = "Hostname", Address = name },
            ],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = 10250 } },
            NodeInfo = new V1NodeSystemInfo
            {
                MachineID = Hex(name, "machine"),
                SystemUUID = Hex(name, "system"),
                BootID = Hex(name, "boot"),
                KernelVersion = "6.1.0-hollow",
                OsImage = "Hollow Linux (Stevedore)",
                ContainerRuntimeVersion = ContainerRuntimeVersion,
                KubeletVersion = KubeletVersion,
                KubeProxyVersion = KubeletVersion,
                OperatingSystem = "linux",
                Architecture = "amd64",
            },
        };
    }

    private static V1NodeCondition Condition(V1NodeStatus? previous, string type, string status, string reason, string message, DateTime now)
    {
        var old = previous?.Conditions?.FirstOrDefault(c => c.Type == type);
        var transition = old is not null && old.Status == status && old.LastTransitionTime is { } t ? t : now;
        return new V1NodeCondition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            LastHeartbeatTime = now,
            LastTransitionTime = transition,
        };
    }

    private static string Hex(string name, string salt)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(salt + "/" + name));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}
