using System.Text.Json;

namespace Stevedore.Runtime.Cri;

/// <summary>
/// What CRI knows about a sandbox or container beyond the engine's own record. It travels in the
/// engine container's labels, so it is on disk with the container and survives an engine restart.
/// </summary>
public sealed class CriMetadata
{
    /// <summary>The engine label holding <c>sandbox</c> or <c>container</c>.</summary>
    public const string KindLabel = "io.stevedore.cri.kind";
    /// <summary>The engine label holding a container's sandbox ID.</summary>
    public const string SandboxLabel = "io.stevedore.cri.sandbox-id";
    /// <summary>The engine label holding this object as JSON.</summary>
    public const string MetadataLabel = "io.stevedore.cri.metadata";

    public string Name { get; set; } = "";
    public string Uid { get; set; } = "";
    public string Namespace { get; set; } = "";
    public uint Attempt { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    public Dictionary<string, string> Annotations { get; set; } = [];
    /// <summary>A sandbox's log directory, or a container's full log path.</summary>
    public string LogPath { get; set; } = "";
    /// <summary>The image as the client named it.</summary>
    public string Image { get; set; } = "";
    /// <summary>Whether the sandbox uses the node's network namespace.</summary>
    public bool HostNetwork { get; set; }
    /// <summary>Whether the sandbox uses the node's IPC namespace.</summary>
    public bool HostIpc { get; set; }
    /// <summary>Whether the sandbox uses the node's PID namespace.</summary>
    public bool HostPid { get; set; }

    /// <summary>The sandbox's pinned network namespace (<c>/run/netns/cni-…</c>); empty for host-network or loopback-only sandboxes.</summary>
    public string NetnsPath { get; set; } = "";

    /// <summary>
    /// Whether the sandbox runs no pause container (every sandbox that does not share one PID namespace
    /// between its containers): its engine record is never started, and its namespaces are pinned files
    /// (<see cref="NetnsPath"/>, <see cref="IpcPath"/>, <see cref="UtsPath"/>) that containers join by path.
    /// </summary>
    public bool PinnedNamespaces { get; set; }

    /// <summary>The pinned IPC namespace of a sandbox without a pause container; empty with the node's IPC.</summary>
    public string IpcPath { get; set; } = "";

    /// <summary>The pinned UTS namespace (the pod's hostname) of a sandbox without a pause container; empty for host-network sandboxes.</summary>
    public string UtsPath { get; set; } = "";

    /// <summary>Whether StopPodSandbox ran for a sandbox without a pause container (with one, its state says so).</summary>
    public bool Stopped { get; set; }

    /// <summary>The network configuration list the sandbox was attached with, so DEL runs exactly what ADD ran.</summary>
    public string CniConfig { get; set; } = "";

    /// <summary>The ADD result (CNI JSON), passed to DEL as prevResult; empty once the network is torn down.</summary>
    public string CniResult { get; set; } = "";

    /// <summary>The host ports asked for (portmap's <c>portMappings</c>), passed again on DEL.</summary>
    public List<CriPortMapping> PortMappings { get; set; } = [];

    /// <summary>The sandbox's addresses, primary (IPv4) first; empty when it has no pod network.</summary>
    public List<string> PodIps { get; set; } = [];

    /// <summary>Serializes for the engine label.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Reads the metadata from an engine container's labels; null for containers CRI did not create.</summary>
    public static CriMetadata? From(IReadOnlyDictionary<string, string> engineLabels) =>
        engineLabels.TryGetValue(MetadataLabel, out var json) ? JsonSerializer.Deserialize<CriMetadata>(json) : null;
}

/// <summary>A sandbox port mapping as kept in <see cref="CriMetadata"/>.</summary>
public sealed record CriPortMapping(int HostPort, int ContainerPort, string Protocol, string HostIp);
