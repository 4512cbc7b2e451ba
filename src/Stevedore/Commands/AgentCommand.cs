using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using k8s;
using Microsoft.Extensions.Logging;
using Stevedore.Agent;
using Stevedore.Client.Connecting;
using Stevedore.Kubelet.Cri;
using Stevedore.Kubelet.Dns;

namespace Stevedore.Commands;

/// <summary><c>stevedore agent</c>: a node agent joining a server with a token (or a kubeconfig).</summary>
public static class AgentCommand
{
    public const string DefaultDataDir = "/var/lib/stevedore/agent";

    public static Command Create()
    {
        var server = new Option<string?>("--server") { Description = "URL of the API server, e.g. https://10.0.0.1:6443" };
        var token = new Option<string?>("--token") { Description = "Join token (the server prints it and keeps it in DATA/agent-token); needed only until the node has its client certificate" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig to use instead of --server/--token" };
        var dataDir = new Option<string>("--data-dir") { Description = "Folder for the agent's pod files and static pod manifests (DIR/manifests)", DefaultValueFactory = _ => DefaultDataDir };
        var nodeName = new Option<string>("--node-name") { Description = "Name of this node", DefaultValueFactory = _ => AgentHost.DefaultNodeName() };
        var runtime = new Option<string?>("--container-runtime-endpoint") { Description = "CRI socket of an external runtime (e.g. unix:///run/containerd/containerd.sock); default: the built-in engine on unix:///run/stevedore/cri.sock" };
        var engineDataDir = new Option<string>("--engine-data-dir") { Description = "Data folder of the built-in engine", DefaultValueFactory = _ => Stevedore.Runtime.EngineOptions.DefaultDataDir };
        var nodeIp = new Option<string?>("--node-ip") { Description = "InternalIP to report (default: the first non-loopback IPv4 address)" };
        var criSocket = new Option<string>("--cri-socket") { Description = "Socket the built-in engine serves CRI on", DefaultValueFactory = _ => Stevedore.Runtime.Cri.CriServer.DefaultSocketPath };
        var serviceCidr = new Option<string>("--service-cidr") { Description = "The cluster's Service IP range (the server's --service-cidr)", DefaultValueFactory = _ => "10.43.0.0/16" };
        var dns = ClusterDnsOptions.Create(defaultAddress: NodeDnsOptions.DefaultAddress.ToString());
        var cleanup = new Option<bool>("--cleanup") { Description = "Remove the service proxy's rules, the cluster DNS link and this node's pod network (bridge, egress guard, conflist, IP allocations, the emptied pod namespace folder), then exit" };
        var network = new NodeNetworkFlags();
        var containerLogs = new ContainerLogFlags();
        var command = new Command("agent", "Run a node agent (kubelet + container engine) that joins a server")
        {
            server, token, kubeconfig, dataDir, nodeName, runtime, engineDataDir, nodeIp, criSocket, serviceCidr, dns.Address, dns.Domain, dns.Upstream, cleanup,
        };
        foreach (var option in network.All.Concat(containerLogs.All))
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (dns.Read(parse, serviceRange: null, out var address, out var domain, out var upstream) is { } problem)
            {
                await Console.Error.WriteLineAsync("stevedore agent: " + problem);
                return 2;
            }

            var settings = new AgentSettings
            {
                NodeName = parse.GetValue(nodeName)!,
                DataDir = parse.GetValue(dataDir)!,
                RuntimeEndpoint = parse.GetValue(runtime),
                EngineDataDir = parse.GetValue(engineDataDir)!,
                CriSocket = parse.GetValue(criSocket)!,
                NodeIp = parse.GetValue(nodeIp),
                ServiceCidr = parse.GetValue(serviceCidr)!,
                ClusterDns = address,
                ClusterDomain = domain,
                DnsUpstream = upstream,
            };
            settings = containerLogs.ApplyTo(network.ApplyTo(settings, parse), parse);
            if (parse.GetValue(cleanup))
            {
                return await CleanupAsync("agent", settings, cancellationToken);
            }

            return await RunAsync(parse.GetValue(server), parse.GetValue(token), parse.GetValue(kubeconfig), settings, cancellationToken);
        });
        return command;
    }

    /// <summary><c>--cleanup</c> of <c>stevedore agent</c> and <c>stevedore server</c>: the node's networking leftovers, then exit.</summary>
    internal static async Task<int> CleanupAsync(string command, AgentSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            await AgentHost.CleanupAsync(settings, cancellationToken);
            Console.WriteLine("Removed the service proxy rules, the cluster DNS link and the pod network of this node.");
            return 0;
        }
        catch (Exception ex) when (ex is Stevedore.Network.NetworkCommandException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"stevedore {command} --cleanup: {ex.Message}");
            return 1;
        }
    }

    private static async Task<int> RunAsync(string? server, string? token, string? kubeconfig, AgentSettings settings, CancellationToken cancellationToken)
    {
        if (settings.RuntimeEndpoint is { } endpoint)
        {
            try
            {
                CriConnection.SocketPathOf(endpoint);
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync("stevedore agent: --container-runtime-endpoint: " + ex.Message);
                return 2;
            }
        }

        try
        {
            Stevedore.Network.Cidr.Parse(settings.ServiceCidr, "service CIDR");
        }
        catch (FormatException ex)
        {
            await Console.Error.WriteLineAsync("stevedore agent: --service-cidr: " + ex.Message);
            return 2;
        }

        if (NodeNetworkFlags.Check(settings) is { } problem)
        {
            await Console.Error.WriteLineAsync("stevedore agent: " + problem);
            return 2;
        }

        if (ContainerLogFlags.Check(settings) is { } logProblem)
        {
            await Console.Error.WriteLineAsync("stevedore agent: " + logProblem);
            return 2;
        }

        if (!AgentHost.IsDnsSubdomain(settings.NodeName))
        {
            await Console.Error.WriteLineAsync($"stevedore agent: --node-name {settings.NodeName}: must be lower-case letters, digits, '-' and '.', starting and ending with a letter or digit");
            return 2;
        }

        IKubernetes client;
        try
        {
            client = await ConnectAsync(server, token, kubeconfig, settings, cancellationToken);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException or k8s.Exceptions.KubeConfigException)
        {
            await Console.Error.WriteLineAsync("stevedore agent: " + ex.Message);
            return 2;
        }

        if (!await AgentHost.PreflightAsync("agent"))
        {
            return 1;
        }

        Directory.CreateDirectory(settings.DataDir);
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }).SetMinimumLevel(LogLevel.Information));
        using (client)
        {
            try
            {
                // The kubelet server trusts the cluster CA for the API server's client certificate.
                await AgentHost.RunAsync(client, settings with { ClusterCa = ClusterCaOf(kubeconfig, settings.DataDir) }, loggerFactory, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }

        return 0;
    }

    /// <summary>The cluster CA: pinned by the join token (kept in DIR/server-ca.crt) or named by the kubeconfig.</summary>
    private static X509Certificate2? ClusterCaOf(string? kubeconfig, string dataDir)
    {
        var caFile = Path.Combine(dataDir, "server-ca.crt");
        if (File.Exists(caFile))
        {
            return X509CertificateLoader.LoadCertificateFromFile(caFile);
        }

        return kubeconfig is null ? null : KubeconfigFile.ClientConfiguration(kubeconfig).SslCaCerts?.FirstOrDefault();
    }

    /// <summary>
    /// A client from <c>--kubeconfig</c>, or with the node's own client certificate (DIR/kubeconfig.yaml), which the
    /// join token obtains first when there is no usable one.
    /// </summary>
    private static async Task<IKubernetes> ConnectAsync(string? server, string? token, string? kubeconfig, AgentSettings settings, CancellationToken cancellationToken)
    {
        if (kubeconfig is not null)
        {
            if (!File.Exists(kubeconfig))
            {
                throw new ArgumentException($"--kubeconfig {kubeconfig}: no such file");
            }

            return ClusterConnection.FromKubeconfig(kubeconfig);
        }

        var own = await NodeCredentials.EnsureAsync(server, token, settings.DataDir, settings.NodeName, Console.Out, cancellationToken);
        await NodeCredentials.RenewIfDueAsync(own, settings.NodeName, Console.Out, cancellationToken);
        return ClusterConnection.FromKubeconfig(own);
    }
}
