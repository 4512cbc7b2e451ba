using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Stevedore.ApiServer.Admission;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.Authorization;
using Stevedore.ApiServer.Security.Https;
using Stevedore.ApiServer.Security.Kubeconfig;
using Stevedore.ApiServer.Security.Pki;
using Stevedore.ApiServer.Security.ServiceAccounts;
using Stevedore.ApiServer.Services;
using Stevedore.Agent;
using Stevedore.ApiServer.Streaming;
using Stevedore.Client.Connecting;
using Stevedore.Client.Informers;
using Stevedore.Controllers.Host;
using Stevedore.Scheduler.Host;
using Stevedore.Storage;

namespace Stevedore.Commands;

/// <summary><c>stevedore server</c>: the API server, scheduler, controllers and a node agent for this machine in one process.</summary>
public static class ServerCommand
{
    public const string DefaultDataDir = "/var/lib/stevedore/server";

    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Folder for the database, certificates and kubeconfig", DefaultValueFactory = _ => DefaultDataDir };
        var listen = new Option<string>("--listen") { Description = "Address and port to serve HTTPS on", DefaultValueFactory = _ => "127.0.0.1:6443" };
        var datastore = new Option<string>("--datastore") { Description = "sqlite (embedded, default) or etcd://host:2379,host2:2379", DefaultValueFactory = _ => "sqlite" };
        var disableAgent = new Option<bool>("--disable-agent") { Description = "Run only the control plane, no node agent" };
        var serviceCidr = new Option<string>("--service-cidr") { Description = "IPv4 range for Service cluster IPs; its first address is the kubernetes Service's", DefaultValueFactory = _ => ServiceIPRange.DefaultCidr };
        var nodePortRange = new Option<string>("--service-node-port-range") { Description = "Ports for NodePort and LoadBalancer Services", DefaultValueFactory = _ => NodePortRange.Default };
        var advertiseAddress = new Option<string?>("--advertise-address") { Description = "Address the kubernetes Service's endpoints point at (default: the --listen address, or the first interface address when listening on all)" };
        var nodeName = new Option<string>("--node-name") { Description = "Name of this machine's node", DefaultValueFactory = _ => AgentHost.DefaultNodeName() };
        var nodeIp = new Option<string?>("--node-ip") { Description = "InternalIP of this machine's node (default: the first non-loopback IPv4 address)" };
        var runtime = new Option<string?>("--container-runtime-endpoint") { Description = "CRI socket of an external runtime (e.g. unix:///run/containerd/containerd.sock); default: the built-in engine" };
        var engineDataDir = new Option<string>("--engine-data-dir") { Description = "Data folder of the built-in engine (shared with `stevedore engine`)", DefaultValueFactory = _ => Stevedore.Runtime.EngineOptions.DefaultDataDir };
        var criSocket = new Option<string>("--cri-socket") { Description = "Socket the built-in engine serves CRI on", DefaultValueFactory = _ => Stevedore.Runtime.Cri.CriServer.DefaultSocketPath };
        var dns = ClusterDnsOptions.Create(defaultAddress: null);
        var cleanup = new Option<bool>("--cleanup") { Description = "Remove this machine's service proxy rules, cluster DNS link and pod network (bridge, egress guard, conflist, IP allocations), then exit" };
        var network = new NodeNetworkFlags();
        var containerLogs = new ContainerLogFlags();
        var command = new Command("server", "Run the API server with its store, the control plane and a node agent")
        {
            dataDir, listen, datastore, disableAgent, serviceCidr, nodePortRange, advertiseAddress, nodeName, nodeIp, runtime, engineDataDir, criSocket,
            dns.Address, dns.Domain, dns.Upstream, cleanup,
        };
        foreach (var option in network.All.Concat(containerLogs.All))
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(cleanup))
            {
                var agentSettings = network.ApplyTo(new AgentSettings { NodeName = "", DataDir = Path.Combine(parse.GetValue(dataDir)!, "agent") }, parse);
                return await AgentCommand.CleanupAsync("server", agentSettings, cancellationToken);
            }

            ServiceIPRange? range = null;
            try
            {
                range = ServiceIPRange.Parse(parse.GetValue(serviceCidr)!);
            }
            catch (FormatException)
            {
                // Reported with the other Service network flags.
            }

            if (dns.Read(parse, range, out var clusterDns, out var clusterDomain, out var dnsUpstream) is { } problem)
            {
                await Console.Error.WriteLineAsync("stevedore: " + problem);
                return 2;
            }

            var settings = new ServerSettings(parse.GetValue(dataDir)!, parse.GetValue(listen)!, parse.GetValue(datastore)!, parse.GetValue(disableAgent),
                parse.GetValue(serviceCidr)!, parse.GetValue(nodePortRange)!, parse.GetValue(advertiseAddress))
            {
                NodeName = parse.GetValue(nodeName)!,
                NodeIp = parse.GetValue(nodeIp),
                RuntimeEndpoint = parse.GetValue(runtime),
                EngineDataDir = parse.GetValue(engineDataDir)!,
                CriSocket = parse.GetValue(criSocket)!,
                ClusterDns = clusterDns,
                ClusterDomain = clusterDomain,
                DnsUpstream = dnsUpstream,
            };
            // Only the network and container log flags are read from the agent's settings; the rest is filled in when the agent starts.
            settings = settings with { Network = containerLogs.ApplyTo(network.ApplyTo(new AgentSettings { NodeName = settings.NodeName, DataDir = "" }, parse), parse) };
            return await RunAsync(settings, cancellationToken);
        });
        return command;
    }

    private sealed record ServerSettings(string DataDir, string Listen, string Datastore, bool DisableAgent, string ServiceCidr, string NodePortRange, string? AdvertiseAddress)
    {
        public string NodeName { get; init; } = "";

        public string? NodeIp { get; init; }

        public string? RuntimeEndpoint { get; init; }

        public string EngineDataDir { get; init; } = "";

        public string CriSocket { get; init; } = "";

        /// <summary>The cluster DNS address: the kube-dns Service's cluster IP and what the agent serves.</summary>
        public required IPAddress ClusterDns { get; init; }

        public string ClusterDomain { get; init; } = "";

        public IPEndPoint? DnsUpstream { get; init; }

        /// <summary>The node-network flags (cluster CIDR, CNI bridge and conf dir, kubelet port).</summary>
        public AgentSettings Network { get; init; } = new() { NodeName = "", DataDir = "" };
    }

    /// <summary>Checks the Service network flags before anything starts; null when they are fine, else the message.</summary>
    private static string? CheckServiceNetwork(ServerSettings settings, out IPAddress? advertise)
    {
        advertise = null;
        try
        {
            ServiceIPRange.Parse(settings.ServiceCidr);
        }
        catch (FormatException ex)
        {
            return $"--service-cidr: {ex.Message}";
        }

        try
        {
            NodePortRange.Parse(settings.NodePortRange);
        }
        catch (FormatException ex)
        {
            return $"--service-node-port-range: {ex.Message}";
        }

        if (settings.AdvertiseAddress is { } text && (!IPAddress.TryParse(text, out advertise) || advertise.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork))
        {
            return $"--advertise-address {text}: expected an IPv4 address";
        }

        return null;
    }

    private static async Task<int> RunAsync(ServerSettings settings, CancellationToken cancellationToken)
    {
        if (!IPEndPoint.TryParse(settings.Listen, out var endpoint) || endpoint.Port == 0 && !settings.Listen.EndsWith(":0", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"stevedore: --listen {settings.Listen}: expected ADDRESS:PORT, e.g. 127.0.0.1:6443");
            return 2;
        }

        if (CheckServiceNetwork(settings, out var advertise) is { } problem)
        {
            await Console.Error.WriteLineAsync("stevedore: " + problem);
            return 2;
        }

        if (NodeNetworkFlags.Check(settings.Network) is { } networkProblem)
        {
            await Console.Error.WriteLineAsync("stevedore: " + networkProblem);
            return 2;
        }

        if (ContainerLogFlags.Check(settings.Network) is { } logProblem)
        {
            await Console.Error.WriteLineAsync("stevedore: " + logProblem);
            return 2;
        }

        if (!settings.DisableAgent && !AgentHost.IsDnsSubdomain(settings.NodeName))
        {
            await Console.Error.WriteLineAsync($"stevedore: --node-name {settings.NodeName}: must be lower-case letters, digits, '-' and '.', starting and ending with a letter or digit");
            return 2;
        }

        if (!settings.DisableAgent && !await AgentHost.PreflightAsync("server"))
        {
            await Console.Error.WriteLineAsync("stevedore server: fix the above, or run only the control plane with --disable-agent");
            return 1;
        }

        Directory.CreateDirectory(settings.DataDir);
        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
            .SetMinimumLevel(LogLevel.Information)
            // Per-request lines from the web host would cost a quarter of the CPU under load,
            // and the control loops' own watches and lease renewals would flood them.
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning));
        IStore store;
        try
        {
            store = StoreFactory.Open(settings.Datastore, settings.DataDir);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or StoreUnavailableException)
        {
            await Console.Error.WriteLineAsync($"stevedore: --datastore {settings.Datastore}: {ex.Message}");
            return 2;
        }

        await using (store)
        {
            using var certificates = ClusterCertificates.LoadOrCreate(settings.DataDir, [], TimeProvider.System);
            var adminToken = new StaticToken(certificates.AdminToken, new UserInfo("system:admin", null, ["system:masters"]));
            // Agents on other machines join with this token: it pins the CA for them and carries a bootstrap token
            // that can only ask for a node client certificate (its Secret is made once the API answers).
            var joinToken = JoinToken.LoadOrGenerate(settings.DataDir, certificates.CaCertificate, out var replacedTokenId);
            // Operators may add users as lines "token,user,uid,\"group1,group2\"" in DATA/tokens.csv.
            var tokenFile = Path.Combine(settings.DataDir, "tokens.csv");
            var tokens = File.Exists(tokenFile) ? StaticTokenAuthenticator.FromFile(tokenFile, adminToken) : new StaticTokenAuthenticator([adminToken]);
            // ServiceAccount tokens (TokenRequest) are signed with a key of their own, kept beside the CA.
            using var serviceAccountKey = ServiceAccountSigningKey.LoadOrCreate(settings.DataDir);
            var serviceAccountTokens = new ServiceAccountTokenIssuer(serviceAccountKey, TimeProvider.System);
            var bearer = new BearerTokenAuthenticator([
                tokens,
                new ServiceAccountTokenAuthenticator(serviceAccountTokens, new StoreBoundObjectGetter(store)),
                new BootstrapTokenAuthenticator(store, TimeProvider.System),
            ]);
            // Bootstrap token users may only ask for node certificates; everyone else authenticated may do anything (until RBAC).
            var allowAuthenticated = new AllowAuthenticatedAuthorizer();
            var authorizer = new UnionAuthorizer(new BootstrapperAuthorizer(), allowAuthenticated);
            // The CSR signer's copy of the CA key.
            using var signingCa = certificates.CopyCaWithKey();
            // The API server's identity towards kubelets (pod logs, exec, attach, port-forward), issued afresh at every start.
            using var kubeletClientCertificate = certificates.IssueClientCertificate("kube-apiserver-kubelet-client", ["system:masters"], TimeSpan.FromDays(365)).ToX509Certificate2();
            var options = new ApiServerOptions
            {
                KubeletClient = new KubeletClientOptions { ClientCertificate = kubeletClientCertificate },
                Store = store,
                Listen = endpoint,
                ConfigureHttps = listen => listen.UseHttps(https => HttpsSetup.ConfigureHttps(https, certificates)),
                Authenticator = new UnionAuthenticator(new X509ClientCertificateAuthenticator(certificates.ClientCertificateValidator), bearer),
                Reviews = new ReviewResponder(authorizer, allowAuthenticated, bearer, TimeProvider.System),
                Authorizer = authorizer,
                ServiceAccountTokens = serviceAccountTokens,
                AdmissionPlugins = AdmissionPlugins.BuiltIn,
                LoggerFactory = loggerFactory,
                ServiceCidr = settings.ServiceCidr,
                ServiceNodePortRange = settings.NodePortRange,
                AdvertiseAddress = advertise,
                // Agents that hold only the join token learn the CA here (checked against the token's hash).
                ClusterCaPem = certificates.CaPem,
                ClusterDnsService = settings.ClusterDns,
            };
            await using var host = await ApiServerHost.StartAsync(options, cancellationToken);
            var kubeconfig = Path.Combine(settings.DataDir, "kubeconfig.yaml");
            var serverUrl = $"https://{(endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : endpoint.Address)}:{host.Address.Port}";
            KubeconfigWriter.Write(kubeconfig, serverUrl, certificates.CaPem, certificates.AdminCertificatePem, certificates.AdminKeyPem);
            Console.WriteLine($"Stevedore API server ready on {serverUrl}; admin kubeconfig: {kubeconfig}");

            // The control loops talk to the API like any client; they start after the server
            // answers so the cold start stays fast, and each campaigns for its Lease.
            using var controlPlane = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var client = ClusterConnection.FromKubeconfig(kubeconfig);
            try
            {
                await JoinToken.EnsureSecretAsync(client, joinToken, replacedTokenId, cancellationToken);
                JoinToken.Save(settings.DataDir, joinToken);
            }
            catch (Exception ex) when (ex is k8s.Autorest.HttpOperationException or HttpRequestException or IOException)
            {
                await Console.Error.WriteLineAsync($"stevedore: the join token could not be stored, agents cannot join: {ex.Message}");
            }

            // One watch and one cache per resource for the scheduler and the controllers together:
            // every pod and node event is decoded and held once in this process, not once per component,
            // without managedFields (neither reads them; upstream's scheduler and controller manager trim them too).
            await using var informers = new SharedInformerFactory(client, new SharedInformerFactoryOptions { LoggerFactory = loggerFactory, TrimManagedFields = true });
            var scheduler = Task.Run(() => SchedulerHost.RunLeaderElectedAsync(client, loggerFactory, controlPlane.Token, informers), CancellationToken.None);
            var controllers = Task.Run(() => new ControllerManager(client, loggerFactory, rootCaPem: certificates.CaPem, signingCa: signingCa, informers: informers, clusterCidr: settings.Network.ClusterCidr).RunAsync(controlPlane.Token), CancellationToken.None);
            var agent = settings.DisableAgent
                ? Task.CompletedTask
                : Task.Run(() => RunAgentAsync(settings, certificates, serverUrl, loggerFactory, controlPlane.Token), CancellationToken.None);
            Console.WriteLine($"""
                To add a node, run on it (as root):
                  stevedore agent --server https://{JoinAddress(endpoint)}:{host.Address.Port} --token {joinToken} --node-name NAME
                (the token is kept in {Path.Combine(settings.DataDir, JoinToken.FileName)})
                """);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }

            await controlPlane.CancelAsync();
            await StopQuietlyAsync(agent, "node agent");
            await StopQuietlyAsync(scheduler, "scheduler");
            await StopQuietlyAsync(controllers, "controllers");
        }

        return 0;
    }

    /// <summary>This machine's node agent, with a node client certificate (system:node:NAME in system:nodes).</summary>
    private static async Task RunAgentAsync(ServerSettings settings, ClusterCertificates certificates, string serverUrl, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var agentDir = Path.Combine(settings.DataDir, "agent");
        Directory.CreateDirectory(agentDir);
        var credential = certificates.IssueClientCertificate("system:node:" + settings.NodeName, [WellKnownGroups.Nodes], ClusterCertificates.AdminLifetime);
        var kubeconfig = Path.Combine(agentDir, "kubeconfig.yaml");
        KubeconfigWriter.Write(kubeconfig, serverUrl, certificates.CaPem, credential.CertificatePem, credential.KeyPem);
        using var client = ClusterConnection.FromKubeconfig(kubeconfig);
        await AgentHost.RunAsync(client, settings.Network with
        {
            NodeName = settings.NodeName,
            DataDir = agentDir,
            RuntimeEndpoint = settings.RuntimeEndpoint,
            EngineDataDir = settings.EngineDataDir,
            CriSocket = settings.CriSocket,
            NodeIp = settings.NodeIp,
            ControlPlane = true,
            ClusterCa = certificates.CaCertificate,
            ServiceCidr = settings.ServiceCidr,
            ClusterDns = settings.ClusterDns,
            ClusterDomain = settings.ClusterDomain,
            DnsUpstream = settings.DnsUpstream,
        }, loggerFactory, cancellationToken);
    }

    /// <summary>The address other machines use to reach this server (loopback only when it listens on loopback).</summary>
    private static string JoinAddress(IPEndPoint endpoint) =>
        endpoint.Address.Equals(IPAddress.Any) ? Stevedore.Kubelet.Node.MachineInfo.DetectNodeIp() : endpoint.Address.ToString();

    private static async Task StopQuietlyAsync(Task loop, string name)
    {
        try
        {
            await loop.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }
        catch (TimeoutException)
        {
            await Console.Error.WriteLineAsync($"stevedore: the {name} did not stop within 10 s");
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"stevedore: the {name} failed: {ex.Message}");
        }
    }
}
