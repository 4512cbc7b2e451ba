using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Stevedore.Kubelet;

/// <summary>What one node agent is and how often it looks at the world. Defaults are upstream's.</summary>
public sealed record KubeletOptions
{
    /// <summary>The default CRI endpoint: the engine's socket.</summary>
    public const string DefaultRuntimeEndpoint = "unix:///run/stevedore/cri.sock";

    /// <summary>The name of the Node object this agent owns.</summary>
    public required string NodeName { get; init; }

    /// <summary>Per-pod files of the agent (etc-hosts, termination logs) live under <c>DataDir/pods/&lt;uid&gt;</c>.</summary>
    public required string DataDir { get; init; }

    /// <summary>Static pod manifests (<c>*.yaml</c>, <c>*.yml</c>, <c>*.json</c>); null disables static pods.</summary>
    public string? ManifestsDir { get; init; }

    /// <summary>Where containers' CRI logs go: <c>&lt;PodLogsDir&gt;/&lt;ns&gt;_&lt;name&gt;_&lt;uid&gt;/&lt;container&gt;/&lt;restart&gt;.log</c>.</summary>
    public string PodLogsDir { get; init; } = "/var/log/pods";

    /// <summary>Log rotation: containerLogMaxSize, containerLogMaxFiles and how often logs are looked at.</summary>
    public Logs.ContainerLogPolicy ContainerLogs { get; init; } = new();

    /// <summary>The node's InternalIP; detected from the first up, non-loopback IPv4 interface when null.</summary>
    public string? NodeIp { get; init; }

    /// <summary>Marks the node <c>node-role.kubernetes.io/control-plane</c> (the server's own node).</summary>
    public bool ControlPlane { get; init; }

    /// <summary>Extra labels set on the Node at registration.</summary>
    public IReadOnlyDictionary<string, string> NodeLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>The port reported as <c>status.daemonEndpoints.kubeletEndpoint.Port</c>.</summary>
    public int KubeletPort { get; init; } = 10250;

    /// <summary>Pod capacity of the node.</summary>
    public int MaxPods { get; init; } = 110;

    /// <summary>Nameservers of the cluster DNS service for ClusterFirst pods.</summary>
    public IReadOnlyList<string> ClusterDns { get; init; } = ["10.43.0.10"];

    /// <summary>The cluster's DNS domain.</summary>
    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>The node's resolv.conf, used by dnsPolicy Default (and ClusterFirst on the host network).</summary>
    public string HostResolvConf { get; init; } = "/etc/resolv.conf";

    /// <summary>How often the runtime is relisted to learn container state changes (upstream PLEG: 1 s).</summary>
    public TimeSpan RelistInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often every pod is synced even without a change (catches what events missed).</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the node Lease is renewed.</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The Lease's leaseDurationSeconds.</summary>
    public int LeaseDurationSeconds { get; init; } = 40;

    /// <summary>How often node status is computed; it is written when it changed or <see cref="NodeStatusReportInterval"/> passed.</summary>
    public TimeSpan NodeStatusUpdateInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest time between two node status writes.</summary>
    public TimeSpan NodeStatusReportInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the manifests folder is read again.</summary>
    public TimeSpan StaticPodScanInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>First wait of CrashLoopBackOff and ImagePullBackOff; doubles per failure.</summary>
    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The cap of CrashLoopBackOff and ImagePullBackOff.</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A container that ran this long without failing starts its back-off over.</summary>
    public TimeSpan BackoffReset { get; init; } = TimeSpan.FromMinutes(10);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
