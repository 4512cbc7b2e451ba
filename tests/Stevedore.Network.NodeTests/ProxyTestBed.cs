using System.Net;
using System.Net.Sockets;
using System.Text;
using Stevedore.Network.Netns;
using Stevedore.Network.Proxy;

namespace Stevedore.Network.NodeTests;

/// <summary>
/// A node of its own for one proxy test: a <see cref="TestNetwork"/> (bridge, CNI pods, egress guard on,
/// allowing only the pod subnet), a service range (/24 no route on the machine overlaps) routed into a
/// veth whose other end sits alone in a namespace of its own, so that a service address the proxy does
/// not translate goes nowhere (this kernel has no dummy links; and not onto
/// the bridge either: forwarding back out of the bridge would make the node send ICMP redirects, which
/// use up the per-host ICMP budget that the proxy's "port unreachable" answers need), an
/// "outside" namespace behind a veth (its host end is a node address), and a proxy table with a unique
/// name. Disposal removes the table, then everything of the network, even after a failure.
/// </summary>
public sealed class ProxyTestBed : IAsyncDisposable
{
    public const string NodeName = "node-a";

    private ProxyTestBed(TestNetwork network, IPNetwork serviceRange, IPNetwork outsideRange, string outside)
    {
        Network = network;
        ServiceRange = serviceRange;
        OutsideRange = outsideRange;
        Outside = outside;
        Options = new ServiceProxyOptions
        {
            TableName = "stvp_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..12],
            NodeName = NodeName,
            ClusterCidrs = [network.Subnet],
            ServiceCidrs = [serviceRange],
            MinSyncInterval = TimeSpan.FromMilliseconds(20),
        };
        Proxy = new ServiceProxy(Options);
    }

    public TestNetwork Network { get; }

    public IPNetwork ServiceRange { get; }

    public IPNetwork OutsideRange { get; }

    /// <summary>The "outside world" namespace: a client on another host.</summary>
    public string Outside { get; }

    /// <summary>The outside namespace's own address.</summary>
    public IPAddress OutsideAddress => Cidr.AddressAt(OutsideRange, 2);

    /// <summary>A node address (the host end of the veth to the outside namespace).</summary>
    public IPAddress NodeAddress => Cidr.AddressAt(OutsideRange, 1);

    /// <summary>The bridge's address, the pods' gateway (what masquerading towards a pod turns a source into).</summary>
    public IPAddress Gateway => Cidr.Gateway(Network.Subnet);

    public ServiceProxyOptions Options { get; }

    public ServiceProxy Proxy { get; }

    /// <summary>The n-th address of the service range.</summary>
    public IPAddress ServiceIp(int n) => Cidr.AddressAt(ServiceRange, n);

    public static async Task<ProxyTestBed> CreateAsync()
    {
        var network = await TestNetwork.CreateAsync();
        try
        {
            await network.Guard.ApplyAsync([network.Subnet], CancellationToken.None);
            // The first pod creates the bridge; the service range is routed onto it right after.
            var serviceRange = await TestHost.FreeSubnetAsync();
            var outsideRange = await TestHost.FreeSubnetAsync();
            var outside = await WireOutsideAsync(network, outsideRange);
            var sinkNetns = Path.GetFileName(network.CreateExtraNetns(TestHost.UniqueName("stvpsink")));
            var sink = TestHost.UniqueName("stvps");
            network.OwnLink(sink);
            await TestHost.RunAsync("/usr/sbin/ip", "link", "add", sink, "type", "veth", "peer", "name", "sink0", "netns", sinkNetns);
            await TestHost.RunAsync("/usr/sbin/ip", "-n", sinkNetns, "link", "set", "sink0", "up");
            await TestHost.RunAsync("/usr/sbin/ip", "link", "set", sink, "up");
            await TestHost.RunAsync("/usr/sbin/ip", "route", "add", $"{serviceRange.BaseAddress}/{serviceRange.PrefixLength}", "dev", sink);
            var bed = new ProxyTestBed(network, serviceRange, outsideRange, outside);
            return bed;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>A pod on the test bridge.</summary>
    public Task<TestPod> AddPodAsync() => Network.AddPodAsync();

    /// <summary>Hands <paramref name="services"/> to the proxy and applies them now.</summary>
    public async Task<ProxySyncReport> ApplyAsync(params ProxyService[] services)
    {
        Proxy.Update(services);
        var report = (await Proxy.SyncOnceAsync(CancellationToken.None))!;
        Assert.Null(report.Error);
        Assert.Empty(report.Problems);
        return report;
    }

    /// <summary>The table as nft lists it.</summary>
    public Task<string> ListTableAsync() => TestHost.RunAsync("/usr/sbin/nft", "list", "table", "ip", Options.TableName);

    /// <summary>A service port named after <paramref name="name"/> in namespace "test".</summary>
    public static ProxyService Service(string name, IPAddress clusterIp, int port, params ProxyEndpoint[] endpoints) =>
        new() { Namespace = "test", Name = name, ClusterIP = clusterIp, Port = port, Endpoints = endpoints };

    /// <summary>A random node port in the default range, so parallel tests' node ports do not meet.</summary>
    public static int RandomNodePort() => Random.Shared.Next(30000, 32768);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Proxy.CleanupAsync(CancellationToken.None);
        }
        finally
        {
            await Network.DisposeAsync();
        }
    }

    /// <summary>A namespace at <c>.2</c> of <paramref name="range"/> behind a veth whose host end is <c>.1</c>.</summary>
    private static async Task<string> WireOutsideAsync(TestNetwork network, IPNetwork range)
    {
        var outside = network.CreateExtraNetns(TestHost.UniqueName("stvpo"));
        var hostEnd = TestHost.UniqueName("stvpo");
        network.OwnLink(hostEnd);
        var inner = TestHost.UniqueName("stvpi");
        var ns = Path.GetFileName(outside);
        await TestHost.RunAsync("/usr/sbin/ip", "link", "add", hostEnd, "type", "veth", "peer", "name", inner, "netns", ns);
        await TestHost.RunAsync("/usr/sbin/ip", "addr", "add", $"{Cidr.AddressAt(range, 1)}/{range.PrefixLength}", "dev", hostEnd);
        await TestHost.RunAsync("/usr/sbin/ip", "link", "set", hostEnd, "up");
        await TestHost.RunAsync("/usr/sbin/ip", "-n", ns, "addr", "add", $"{Cidr.AddressAt(range, 2)}/{range.PrefixLength}", "dev", inner);
        await TestHost.RunAsync("/usr/sbin/ip", "-n", ns, "link", "set", inner, "up");
        await TestHost.RunAsync("/usr/sbin/ip", "-n", ns, "link", "set", "lo", "up");
        return outside;
    }
}

/// <summary>How a connection attempt ended.</summary>
public enum Outcome
{
    Answered,
    Refused,
    TimedOut,
}

/// <summary>
/// Servers inside namespaces that answer every TCP connection and UDP datagram with
/// "<c>name client-address</c>", so a client learns which endpoint it reached and which source address
/// that endpoint saw (masqueraded or not).
/// </summary>
public sealed class EchoServer : IAsyncDisposable
{
    private readonly Socket _tcp;
    private readonly Socket _udp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _tcpLoop;
    private readonly Task _udpLoop;

    private EchoServer(Socket tcp, Socket udp, string name)
    {
        _tcp = tcp;
        _udp = udp;
        _tcpLoop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var client = await _tcp.AcceptAsync(_stop.Token);
                    var remote = ((IPEndPoint)client.RemoteEndPoint!).Address;
                    await client.SendAsync(Encoding.UTF8.GetBytes($"{name} {remote}\n"), SocketFlags.None);
                    client.Shutdown(SocketShutdown.Both);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    if (_stop.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }
        });
        _udpLoop = Task.Run(async () =>
        {
            var buffer = new byte[512];
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                    var remote = (IPEndPoint)received.RemoteEndPoint;
                    await _udp.SendToAsync(Encoding.UTF8.GetBytes($"{name} {remote.Address}"), SocketFlags.None, remote);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    if (_stop.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }
        });
    }

    /// <summary>TCP and UDP on <paramref name="port"/> (all addresses) inside the namespace at <paramref name="netns"/>.</summary>
    public static EchoServer Start(string netns, int port, string name)
    {
        var (tcp, udp) = NetworkNamespace.Run(netns, () =>
        {
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Any, port));
            tcp.Listen(64);
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Any, port));
            return (tcp, udp);
        });
        return new EchoServer(tcp, udp, name);
    }

    /// <summary>One TCP connection from <paramref name="netns"/> (the host when null): the answer, or why there was none.</summary>
    public static async Task<(Outcome Outcome, string? Name, string? SeenFrom)> TcpAsync(string? netns, IPAddress address, int port, TimeSpan timeout)
    {
        using var socket = netns is null
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            : NetworkNamespace.Run(netns, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), deadline.Token);
            var buffer = new byte[256];
            var total = 0;
            int read;
            while ((read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, deadline.Token)) > 0)
            {
                total += read;
            }

            return Parse(Encoding.UTF8.GetString(buffer, 0, total));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return (Outcome.Refused, null, null);
        }
        catch (OperationCanceledException)
        {
            return (Outcome.TimedOut, null, null);
        }
    }

    /// <summary>One UDP datagram from <paramref name="netns"/> and its answer.</summary>
    public static async Task<(Outcome Outcome, string? Name, string? SeenFrom)> UdpAsync(string netns, IPAddress address, int port, TimeSpan timeout)
    {
        using var socket = NetworkNamespace.Run(netns, () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        // Connected, so an ICMP port unreachable comes back as "connection refused".
        socket.Connect(new IPEndPoint(address, port));
        using var deadline = new CancellationTokenSource(timeout);
        var buffer = new byte[256];
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes("hello"), SocketFlags.None, deadline.Token);
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            return Parse(Encoding.UTF8.GetString(buffer, 0, read));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return (Outcome.Refused, null, null);
        }
        catch (OperationCanceledException)
        {
            return (Outcome.TimedOut, null, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _tcp.Dispose();
        _udp.Dispose();
        await Task.WhenAll(_tcpLoop, _udpLoop);
        _stop.Dispose();
    }

    private static (Outcome, string?, string?) Parse(string text)
    {
        var parts = text.Trim().Split(' ');
        return parts.Length == 2 ? (Outcome.Answered, parts[0], parts[1]) : (Outcome.Answered, text.Trim(), null);
    }
}
