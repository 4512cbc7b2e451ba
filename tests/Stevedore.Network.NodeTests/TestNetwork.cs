using System.Net;
using System.Text.Json.Nodes;
using Stevedore.Network.Cni;
using Stevedore.Network.Egress;
using Stevedore.Network.Netns;

namespace Stevedore.Network.NodeTests;

/// <summary>A pod attached by <see cref="TestNetwork"/>: its namespace, CNI container ID and ADD result.</summary>
public sealed record TestPod(string Netns, string ContainerId, CniRuntimeConf Runtime, CniResult Result)
{
    public IPAddress Ip => Result.SandboxAddresses("eth0")[0];

    /// <summary>The host end of the pod's veth.</summary>
    public string HostVeth => Result.Interfaces.Single(i => i.Sandbox.Length == 0 && i.Name.StartsWith("veth", StringComparison.Ordinal)).Name;
}

/// <summary>
/// A pod network of its own for one test: a unique bridge name, a /24 nobody uses, the conflist written
/// by <see cref="ConflistBuilder"/> into a temporary conf dir, host-local state in the same directory.
/// Disposal removes, even after a failure, everything the test made: pods (CNI DEL, namespaces), the
/// bridge, extra links and namespaces, the egress table, portmap's shared chains if this test created
/// them, and the directory.
/// </summary>
public sealed class TestNetwork : IAsyncDisposable
{
    // Pods may be added and removed concurrently.
    private readonly List<TestPod> _pods = [];
    private readonly Lock _podsLock = new();
    private readonly List<string> _extraNetns = [];
    private readonly List<string> _extraLinks = [];
    private bool _portmapChainsExisted;

    private TestNetwork(IPNetwork subnet)
    {
        Subnet = subnet;
        Bridge = TestHost.UniqueName("stvn");
        Dir = Directory.CreateTempSubdirectory("stevedore-net-test-").FullName;
        Options = new ConflistOptions
        {
            NetworkName = "stvtest-" + Bridge,
            BridgeName = Bridge,
            PodCidrs = [$"{subnet.BaseAddress}/{subnet.PrefixLength}"],
            IpamDataDir = Path.Combine(Dir, "ipam"),
        };
        Guard = new EgressGuard(Bridge);
    }

    public IPNetwork Subnet { get; }
    public string Bridge { get; }
    public string Dir { get; }
    public string ConfDir => Path.Combine(Dir, "net.d");
    public ConflistOptions Options { get; }
    public EgressGuard Guard { get; }
    public CniInvoker Invoker { get; } = new();
    public CniNetworkConfigList Network { get; private set; } = null!;

    /// <summary>Where host-local records the allocations of this network.</summary>
    public string AllocationDir => Path.Combine(Options.IpamDataDir, Options.NetworkName);

    public static async Task<TestNetwork> CreateAsync()
    {
        var network = new TestNetwork(await TestHost.FreeSubnetAsync());
        network._portmapChainsExisted = await PortmapChains.ExistAsync(CancellationToken.None);
        ConflistBuilder.Write(network.ConfDir, network.Options);
        network.Network = CniNetworkConfigList.LoadDefault(network.ConfDir)!;
        return network;
    }

    /// <summary>A new namespace with loopback up and the pod network attached as eth0.</summary>
    public async Task<TestPod> AddPodAsync(IReadOnlyList<CniPortMapping>? ports = null)
    {
        var id = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var netns = NetworkNamespace.Create(NetworkNamespace.DefaultDir, "stvtest-" + id[..12]);
        var capabilities = new Dictionary<string, JsonNode>();
        if (ports is { Count: > 0 })
        {
            capabilities[CniPortMapping.Capability] = CniPortMapping.ToCapability(ports);
        }

        var runtime = new CniRuntimeConf { ContainerId = id, NetnsPath = netns, CapabilityArgs = capabilities };
        var pending = new TestPod(netns, id, runtime, null!);
        lock (_podsLock)
        {
            _pods.Add(pending);
        }

        await Invoker.AddAsync(CniNetworkConfigList.Loopback, runtime with { IfName = "lo" }, CancellationToken.None);
        var result = await Invoker.AddAsync(Network, runtime, CancellationToken.None);
        var pod = pending with { Result = result };
        lock (_podsLock)
        {
            _pods[_pods.IndexOf(pending)] = pod;
        }

        return pod;
    }

    /// <summary>CNI DEL (the list, then loopback) and the namespace removed.</summary>
    public async Task RemovePodAsync(TestPod pod)
    {
        await Invoker.DeleteAsync(Network, pod.Runtime, pod.Result, CancellationToken.None);
        await Invoker.DeleteAsync(CniNetworkConfigList.Loopback, pod.Runtime with { IfName = "lo" }, null, CancellationToken.None);
        NetworkNamespace.Remove(pod.Netns);
        lock (_podsLock)
        {
            _pods.RemoveAll(p => p.ContainerId == pod.ContainerId);
        }
    }

    /// <summary>A namespace the test wires by hand (another node, the outside world); removed on disposal.</summary>
    public string CreateExtraNetns(string name)
    {
        var path = NetworkNamespace.Create(NetworkNamespace.DefaultDir, name);
        _extraNetns.Add(path);
        return path;
    }

    /// <summary>Records a host link the test created, to delete on disposal.</summary>
    public void OwnLink(string name) => _extraLinks.Add(name);

    public async ValueTask DisposeAsync()
    {
        List<TestPod> left;
        lock (_podsLock)
        {
            left = [.. _pods];
        }

        foreach (var pod in left)
        {
            try
            {
                await RemovePodAsync(pod);
            }
            catch (Exception ex) when (ex is CniException or IOException)
            {
                NetworkNamespace.Remove(pod.Netns);
            }
        }

        foreach (var netns in _extraNetns)
        {
            NetworkNamespace.Remove(netns);
        }

        foreach (var link in _extraLinks.Append(Bridge).Where(TestHost.LinkExists))
        {
            await TestHost.TryRunAsync("/usr/sbin/ip", "link", "delete", link);
        }

        await Guard.RemoveAsync(CancellationToken.None);
        if (!_portmapChainsExisted)
        {
            await PortmapChains.RemoveIfUnusedAsync(CancellationToken.None);
        }

        Directory.Delete(Dir, recursive: true);
    }
}
