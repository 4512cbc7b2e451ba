using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.Client.Connecting;
using Stevedore.Kubelet.Cri;
using Stevedore.Runtime.Snapshots;
using Stevedore.Storage;

namespace Stevedore.Kubelet.NodeTests;

/// <summary>
/// One node, for real: an API server on a loopback port over SQLite, a container runtime serving
/// CRI on a temporary socket with the test images (derived classes: the engine's CRI server, or
/// containerd), and the agent under test talking to both. Disposal stops the agent and the
/// runtime, removes every container, mount, cgroup and the temporary directory, even after
/// failed tests.
/// </summary>
public abstract class NodeFixture : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("stevedore-kubelet-test-").FullName;
    private IStore? _store;
    private CancellationTokenSource? _agentStop;
    private Task? _agentRun;

    public NodeFixture()
    {
        NodeName = "node-" + Path.GetFileName(_root).Split('-')[^1].ToLowerInvariant();
    }

    public string NodeName { get; }

    /// <summary>The runtime's name: the scheme of container IDs.</summary>
    public abstract string RuntimeName { get; }

    /// <summary>The fixture's temporary directory (runtimes keep their state below it).</summary>
    protected string Root => _root;

    public ApiServerHost ApiServer { get; private set; } = null!;

    public IKubernetes Client { get; private set; } = null!;

    public CriConnection Cri { get; private set; } = null!;

    public Kubelet Agent { get; private set; } = null!;

    public NoProbes Probes { get; } = new();

    public NoVolumes Volumes { get; } = new();

    public string DataDir => Path.Combine(_root, "agent");

    public string ManifestsDir => Path.Combine(_root, "agent", "manifests");

    public string PodLogsDir => Path.Combine(_root, "pod-logs");

    public string NodeIp => "127.0.0.1";

    public async Task InitializeAsync()
    {
        if (Environment.UserName != "root")
        {
            return;
        }

        Directory.CreateDirectory(ManifestsDir);
        _store = StoreFactory.Open("sqlite", Path.Combine(_root, "store"));
        ApiServer = await ApiServerHost.StartAsync(new ApiServerOptions
        {
            Store = _store,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Authenticator = new BearerTokenAuthenticator([new StaticTokenAuthenticator([new StaticToken("node-token", new UserInfo("system:node:" + NodeName, null, ["system:nodes"]))])]),
        }, CancellationToken.None);
        Client = ClusterConnection.FromToken(ApiServer.Address, "node-token");

        var socket = await StartRuntimeAsync();
        Cri = new CriConnection("unix://" + socket);
        await StartAgentAsync();
    }

    /// <summary>Starts the runtime with the test images imported; returns its CRI socket.</summary>
    protected abstract Task<string> StartRuntimeAsync();

    /// <summary>Stops the runtime and removes every container, mount and cgroup it made.</summary>
    protected abstract Task StopRuntimeAsync();

    /// <summary>Starts a (new) agent over the same node, runtime and data, as after a restart.</summary>
    public async Task StartAgentAsync()
    {
        _agentStop = new CancellationTokenSource();
        Agent = new Kubelet(Client, Cri, Options(), new KubeletDependencies(Volumes, new LiteralEnvironment(), Probes, new NoHooks()));
        _agentRun = Task.Run(() => Agent.RunAsync(_agentStop.Token));
        await Agent.Ready.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Stops the agent; what it runs keeps running.</summary>
    public async Task StopAgentAsync()
    {
        if (_agentStop is null || _agentRun is null)
        {
            return;
        }

        await _agentStop.CancelAsync();
        await _agentRun.WaitAsync(TimeSpan.FromSeconds(60));
        _agentStop.Dispose();
        _agentStop = null;
        _agentRun = null;
    }

    public KubeletOptions Options() => new()
    {
        NodeName = NodeName,
        DataDir = DataDir,
        ManifestsDir = ManifestsDir,
        PodLogsDir = PodLogsDir,
        NodeIp = NodeIp,
        ControlPlane = true,
        StaticPodScanInterval = TimeSpan.FromSeconds(1),
        NodeStatusUpdateInterval = TimeSpan.FromSeconds(2),
        BackoffInitial = TimeSpan.FromSeconds(2),
        HostResolvConf = Path.Combine(_root, "resolv.conf"),
        LoggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information).AddFilter("Stevedore.Kubelet", LogLevel.Debug)),
    };

    /// <summary>A namespace of the test's own.</summary>
    public async Task<string> CreateNamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    public async Task DisposeAsync()
    {
        try
        {
            await StopAgentAsync();
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
        }

        Cri?.Dispose();
        if (Environment.UserName == "root")
        {
            await StopRuntimeAsync();
        }

        if (ApiServer is not null)
        {
            Client.Dispose();
            await ApiServer.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        foreach (var mount in File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(_root, StringComparison.Ordinal)))
        {
            Snapshotter.Unmount(mount);
        }

        Snapshotter.RemoveTree(_root);
    }

}
