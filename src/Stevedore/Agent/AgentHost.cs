using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Events;
using Stevedore.Client.Informers;
using Stevedore.Engine;
using Stevedore.Kubelet;
using Stevedore.Kubelet.Cri;
using Stevedore.Kubelet.Dns;
using Stevedore.Kubelet.Node;
using Stevedore.Kubelet.Probes;
using Stevedore.Kubelet.Server;
using Stevedore.Kubelet.Services;
using Stevedore.Kubelet.Volumes;
using Stevedore.Network;
using Stevedore.Network.Cni;
using Stevedore.Network.Dns;
using Stevedore.Network.Proxy;
using Stevedore.Runtime;
using Stevedore.Runtime.Cri;

namespace Stevedore.Agent;

/// <summary>How one node agent runs: its node, its folders, and which runtime it talks to.</summary>
internal sealed record AgentSettings
{
    public required string NodeName { get; init; }

    /// <summary>The agent's own folder (pod files, manifests/).</summary>
    public required string DataDir { get; init; }

    /// <summary>An external CRI runtime (e.g. containerd); null runs Stevedore's engine in this process.</summary>
    public string? RuntimeEndpoint { get; init; }

    /// <summary>Where the built-in engine keeps images and containers (shared with <c>stevedore engine</c>).</summary>
    public string EngineDataDir { get; init; } = EngineOptions.DefaultDataDir;

    /// <summary>The socket the built-in engine serves CRI on.</summary>
    public string CriSocket { get; init; } = CriServer.DefaultSocketPath;

    public string? NodeIp { get; init; }

    public bool ControlPlane { get; init; }

    /// <summary>The cluster CA: the kubelet server accepts only clients (the API server) it signed; null serves no logs, exec or port-forward.</summary>
    public X509Certificate2? ClusterCa { get; init; }

    /// <summary>Where the kubelet server listens for the API server (logs, exec, attach, port-forward).</summary>
    public int KubeletPort { get; init; } = KubeletServerOptions.DefaultPort;

    /// <summary>The cluster-wide pod CIDR: pods may reach it, nothing else beyond this node (see <see cref="PodNetworkOptions.AllowedDestinations"/>).</summary>
    public string ClusterCidr { get; init; } = NodeNetworkFlags.DefaultClusterCidr;

    /// <summary>The node's pod bridge (and so its egress guard's nft table).</summary>
    public string BridgeName { get; init; } = ConflistOptions.DefaultBridgeName;

    /// <summary>Where the agent writes the conflist and the runtime reads it.</summary>
    public string CniConfDir { get; init; } = PodNetworkOptions.DefaultConfDir;

    /// <summary>The Service cluster IP range: the service proxy drops connections to its unallocated addresses.</summary>
    public string ServiceCidr { get; init; } = "10.43.0.0/16";

    /// <summary>The cluster DNS address: served on this node (on its own link) and the nameserver of ClusterFirst pods.</summary>
    public IPAddress ClusterDns { get; init; } = NodeDnsOptions.DefaultAddress;

    /// <summary>The cluster domain: the DNS zone served and the pods' search list.</summary>
    public string ClusterDomain { get; init; } = DnsZoneOptions.DefaultDomain;

    /// <summary>Where DNS names outside the cluster go; null answers them REFUSED.</summary>
    public IPEndPoint? DnsUpstream { get; init; }

    /// <summary>A container log this large is rotated (a quantity; kubelet's containerLogMaxSize).</summary>
    public string ContainerLogMaxSize { get; init; } = ContainerLogFlags.DefaultMaxSize;

    /// <summary>Most log files per container, the current one included (kubelet's containerLogMaxFiles).</summary>
    public int ContainerLogMaxFiles { get; init; } = Stevedore.Kubelet.Logs.ContainerLogPolicy.DefaultMaxFiles;

    /// <summary>The link holding <see cref="ClusterDns"/>.</summary>
    public string DnsLinkName { get; init; } = Network.Dns.Server.DnsServingLink.DefaultName;
}

/// <summary>Runs a node agent: the built-in engine's CRI server (unless an external runtime is named) and the kubelet.</summary>
internal static class AgentHost
{
    /// <summary>A node name from the machine's host name, as the kubelet defaults it.</summary>
    public static string DefaultNodeName() => Environment.MachineName.ToLowerInvariant();

    /// <summary>Whether a node name is a valid DNS subdomain (what the API accepts as a Node name).</summary>
    public static bool IsDnsSubdomain(string name) =>
        name.Length is > 0 and <= 253
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);

    /// <summary>Prints what keeps this machine from running pods; false when anything does.</summary>
    public static async Task<bool> PreflightAsync(string command)
    {
        var problems = Preflight.Check(Preflight.ReadHost());
        foreach (var problem in problems)
        {
            await Console.Error.WriteLineAsync($"stevedore {command}: {problem.What}\n    fix: {problem.Fix}");
        }

        return problems.Count == 0;
    }

    public static async Task RunAsync(IKubernetes client, AgentSettings settings, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger("Stevedore.Agent");
        // The agent writes the conflist (from the node's pod CIDR) where the engine's CRI server reads it.
        var network = new PodNetwork(new PodNetworkOptions
        {
            DataDir = settings.DataDir,
            ConfDir = settings.CniConfDir,
            BridgeName = settings.BridgeName,
            AllowedDestinations = [settings.ClusterCidr],
        });
        CriServer? builtIn = null;
        var endpoint = settings.RuntimeEndpoint;
        if (endpoint is null)
        {
            // Containers are supervised by shims, so they outlive this process and a restarted agent adopts them.
            var engine = new ContainerEngine(new EngineOptions { DataDir = settings.EngineDataDir, ShimCommand = EngineCommand.ShimCommand() });
            builtIn = await CriServer.StartAsync(engine, settings.CriSocket, new CriNetworkOptions { ConfDir = network.Options.ConfDir }, cancellationToken);
            endpoint = "unix://" + builtIn.SocketPath;
        }

        KubeletServer? kubeletServer = null;
        try
        {
            using var cri = new CriConnection(endpoint);
            var options = new KubeletOptions
            {
                NodeName = settings.NodeName,
                DataDir = settings.DataDir,
                ManifestsDir = Path.Combine(settings.DataDir, "manifests"),
                NodeIp = settings.NodeIp,
                ControlPlane = settings.ControlPlane,
                KubeletPort = settings.KubeletPort,
                ClusterDns = [settings.ClusterDns.ToString()],
                ClusterDomain = settings.ClusterDomain,
                ContainerLogs = ContainerLogFlags.PolicyOf(settings),
                LoggerFactory = loggerFactory,
            };
            Directory.CreateDirectory(options.ManifestsDir);
            if (settings.ClusterCa is { } ca)
            {
                using var serving = SelfSignedServingCertificate(settings.NodeName, settings.NodeIp);
                kubeletServer = await KubeletServer.StartAsync(new KubeletServerOptions
                {
                    Listen = new IPEndPoint(IPAddress.Any, settings.KubeletPort),
                    // Kestrel needs a certificate whose key it can use on every platform: round-trip through PKCS#12.
                    ServingCertificate = X509CertificateLoader.LoadPkcs12(serving.Export(X509ContentType.Pkcs12), null),
                    ClientCertificateAuthority = ca,
                    Runtime = cri.Runtime,
                    LoggerFactory = loggerFactory,
                }, cancellationToken);
            }

            // Cluster-wide informers (Services, EndpointSlices), shared by the node's service proxy, cluster DNS and
            // the containers' Service variables.
            await using var clusterInformers = new SharedInformerFactory(client, new SharedInformerFactoryOptions { LoggerFactory = loggerFactory });
            var sources = new ServiceListerPodSources(new ApiPodSources(client), clusterInformers.GetInformer<V1Service>());
            var allocatable = new NodeAllocatable(sources, TimeProvider.System);
            var exec = new CriContainerExec(cri.Runtime);
            var parts = new KubeletDependencies(
                new VolumeManager(settings.DataDir, sources, TimeProvider.System, loggerFactory.CreateLogger<VolumeManager>(), allocatable),
                new EnvironmentResolver(sources, allocatable, loggerFactory.CreateLogger<EnvironmentResolver>()),
                new ProbeManager(exec, TimeProvider.System, loggerFactory.CreateLogger<ProbeManager>(), ProbeEventSink(client, settings.NodeName, logger)),
                new LifecycleHookRunner(exec, TimeProvider.System));
            var kubelet = new Kubelet.Kubelet(client, cri, options, parts);
            var podNetwork = Task.Run(() => KeepPodNetworkAsync(client, settings.NodeName, network, logger, cancellationToken), CancellationToken.None);

            var serviceProxy = new ServiceProxyController(clusterInformers, ServiceProxyOptionsOf(settings), loggerFactory.CreateLogger<ServiceProxyController>());

            // Cluster DNS, node-local: answers from those informers' caches on the cluster DNS address, put on a link of its own.
            var dns = new NodeDns(clusterInformers, new NodeDnsOptions
            {
                Address = settings.ClusterDns,
                Zone = new DnsZoneOptions { Domain = settings.ClusterDomain },
                Upstream = settings.DnsUpstream,
                LinkName = settings.DnsLinkName,
                LoggerFactory = loggerFactory,
            });
            using var servicesStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            clusterInformers.Start(servicesStop.Token);
            var dnsRun = Task.Run(() => dns.RunAsync(servicesStop.Token), CancellationToken.None);
            var proxyRun = Task.Run(() => serviceProxy.RunAsync(servicesStop.Token), CancellationToken.None);
            try
            {
                await kubelet.RunAsync(cancellationToken);
                await podNetwork;
            }
            finally
            {
                // Also when the kubelet failed: the DNS serving link goes with the agent (the proxy's rules stay
                // for the pods that keep running; --cleanup removes them).
                await servicesStop.CancelAsync();
                await dnsRun;
                await proxyRun;
            }
        }
        finally
        {
            if (kubeletServer is not null)
            {
                await kubeletServer.DisposeAsync();
            }

            if (builtIn is not null)
            {
                await builtIn.DisposeAsync();
            }
        }
    }

    /// <summary>The service proxy of this node: its table, the cluster's pod and service ranges.</summary>
    private static ServiceProxyOptions ServiceProxyOptionsOf(AgentSettings settings) => new()
    {
        NodeName = settings.NodeName,
        ClusterCidrs = [Cidr.Parse(settings.ClusterCidr, "cluster CIDR")],
        ServiceCidrs = [Cidr.Parse(settings.ServiceCidr, "service CIDR")],
        // Served by this node's cluster DNS on a link of its own, not translated.
        LocallyServedAddresses = [settings.ClusterDns],
    };

    /// <summary>
    /// <c>--cleanup</c>: removes what the agent put into the kernel and the node's files — the service
    /// proxy's table, the cluster DNS link, then the pod network (conflist, egress guard, bridge, IPAM
    /// allocations, portmap's chains). Running pods lose their network; meant for a node being taken down or reset.
    /// </summary>
    public static async Task CleanupAsync(AgentSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await ProxyTable.RemoveAsync(ServiceProxyOptions.DefaultTableName, cancellationToken);
        await NodeDns.CleanupAsync(settings.DnsLinkName, cancellationToken);
        // The bridge and conflist the agent was started with (--cni-bridge, --cni-conf-dir), not the defaults,
        // which may belong to another node agent on the same machine.
        await new PodNetwork(new PodNetworkOptions { DataDir = settings.DataDir, ConfDir = settings.CniConfDir, BridgeName = settings.BridgeName })
            .CleanupAsync(cancellationToken);
        // The built-in engine's folder of pinned pod namespaces, once no sandbox uses it.
        Network.Netns.NetworkNamespace.ReleaseSharedMount(CriNetworkOptions.DefaultPodNamespaceDir);
    }

    /// <summary>
    /// Records the probe manager's per-attempt events (Unhealthy for every failed probe, ProbeWarning) as the
    /// kubelet, in the background: events are best effort and a probe never waits for the API.
    /// </summary>
    private static Action<ContainerEvent> ProbeEventSink(IKubernetes client, string nodeName, ILogger logger)
    {
        var recorder = new EventRecorder(client, "kubelet", nodeName, TimeProvider.System, logger);
        return e => _ = Task.Run(async () =>
        {
            try
            {
                await recorder.RecordAsync(e.InvolvedObject(), e.Type, e.Reason, e.Message);
            }
            catch (Exception ex)
            {
                logger.LogDebug("Event {Reason} for {Namespace}/{Name} not recorded: {Error}", e.Reason, e.Pod.Metadata?.NamespaceProperty, e.Pod.Metadata?.Name, ex.Message);
            }
        });
    }

    /// <summary>
    /// Writes the CNI conflist (and the egress guard) from the Node's pod CIDR once the node IPAM
    /// controller has set it, and again if it changes. Pods wait for it: the runtime reports its
    /// network not ready until the conflist exists.
    /// </summary>
    private static async Task KeepPodNetworkAsync(IKubernetes client, string nodeName, PodNetwork network, ILogger logger, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var applied = false;
            try
            {
                var node = await client.CoreV1.ReadNodeAsync(nodeName, cancellationToken: cancellationToken);
                var cidrs = node.Spec?.PodCIDRs is { Count: > 0 } list ? list.ToList() : node.Spec?.PodCIDR is { } one ? [one] : [];
                if (cidrs.Count > 0)
                {
                    if (await network.ApplyAsync(cidrs, cancellationToken))
                    {
                        logger.LogInformation("Pod network for {Cidrs} written to {Conflist}", string.Join(",", cidrs), network.ConflistPath);
                    }

                    applied = true;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Not registered yet, a network blip, or the kernel refused a rule: say so and try again,
                // the pods wait for the network meanwhile.
                logger.LogWarning("Pod network of node {Node} not set up yet: {Error}", nodeName, ex.Message);
            }

            try
            {
                await Task.Delay(applied ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The kubelet's own serving certificate, self-signed as upstream's kubelet makes one when none is given (the API server does not verify it).</summary>
    private static X509Certificate2 SelfSignedServingCertificate(string nodeName, string? nodeIp)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={nodeName}@kubelet", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(nodeName);
        names.AddIpAddress(IPAddress.Loopback);
        if (nodeIp is not null && IPAddress.TryParse(nodeIp, out var ip))
        {
            names.AddIpAddress(ip);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
    }
}
