using System.Net;
using System.Net.Sockets;
using Stevedore.Network.Dns;
using Stevedore.Network.Dns.Server;
using Stevedore.Network.Dns.Wire;

namespace Stevedore.Network.NodeTests;

/// <summary>The DNS server on a loopback port, asked with real UDP and TCP packets.</summary>
public sealed class DnsServerNodeTests
{
    private static readonly DnsZoneOptions Zone = new();

    private static DnsSnapshot Records(params DnsService[] extra) => DnsSnapshotBuilder.Build(Zone,
    [
        new DnsService { Namespace = "default", Name = "my-svc", ClusterIPs = [IPAddress.Parse("10.43.0.20")], Ports = [new DnsPort("http", "TCP", 80)] },
        new DnsService
        {
            Namespace = "default", Name = "big", Kind = DnsServiceKind.Headless,
            Endpoints = [.. Enumerable.Range(1, 100).Select(i => new DnsEndpoint([IPAddress.Parse($"10.42.1.{i}")], null, true, []))],
        },
        .. extra,
    ], 1);

    private static DnsServer Start(DnsRecordStore store, IPEndPoint? upstream = null, TimeSpan? idle = null, int maxConnections = 512) =>
        DnsServer.Start(new DnsServerOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Zone = Zone,
            Upstream = upstream,
            UpstreamTimeout = TimeSpan.FromMilliseconds(500),
            TcpIdleTimeout = idle ?? TimeSpan.FromSeconds(10),
            MaxTcpConnections = maxConnections,
        }, store);

    private static DnsRecordStore Loaded()
    {
        var store = new DnsRecordStore();
        store.Publish(Records());
        return store;
    }

    [Fact]
    public async Task Server_UdpAndTcp_AnswerFromTheStore()
    {
        await using var server = Start(Loaded());

        var udp = await DnsTestClient.UdpAsync(server.LocalEndPoint, "my-svc.default.svc.cluster.local", DnsType.A);
        var tcp = await DnsTestClient.TcpAsync(server.LocalEndPoint, ("my-svc.default.svc.cluster.local", DnsType.A), ("_http._tcp.my-svc.default.svc.cluster.local", DnsType.SRV), ("nope.default.svc.cluster.local", DnsType.A));

        Assert.Equal("10.43.0.20", Assert.Single(udp!.Answers).Data);
        Assert.Equal("10.43.0.20", Assert.Single(tcp[0].Answers).Data);
        Assert.Equal("0 100 80 my-svc.default.svc.cluster.local.", Assert.Single(tcp[1].Answers).Data);
        Assert.Equal(DnsResponseCode.NameError, tcp[2].ResponseCode);
        Assert.Equal(4, server.Statistics.Received);
    }

    [Fact]
    public async Task Server_BeforeTheFirstSnapshot_ServFailThenAnswersOncePublished()
    {
        var store = new DnsRecordStore();
        await using var server = Start(store);

        var before = await DnsTestClient.UdpAsync(server.LocalEndPoint, "my-svc.default.svc.cluster.local", DnsType.A);
        store.Publish(Records());
        var after = await DnsTestClient.UdpAsync(server.LocalEndPoint, "my-svc.default.svc.cluster.local", DnsType.A);

        Assert.Equal(DnsResponseCode.ServerFailure, before!.ResponseCode);
        Assert.Equal("10.43.0.20", Assert.Single(after!.Answers).Data);
    }

    [Fact]
    public async Task Server_AnswerTooBigForUdp_TruncatedThenCompleteOverTcp()
    {
        await using var server = Start(Loaded());

        var udp = await DnsTestClient.UdpAsync(server.LocalEndPoint, "big.default.svc.cluster.local", DnsType.A);
        var edns = await DnsTestClient.UdpAsync(server.LocalEndPoint, "big.default.svc.cluster.local", DnsType.A, ednsUdpSize: 4096);
        var tcp = await DnsTestClient.TcpAsync(server.LocalEndPoint, ("big.default.svc.cluster.local", DnsType.A));

        Assert.True(udp!.Truncated);
        Assert.True(udp.Answers.Count < 100);
        Assert.True(edns!.Truncated);
        Assert.False(tcp[0].Truncated);
        Assert.Equal(100, tcp[0].Answers.Count);
    }

    [Fact]
    public async Task Server_FloodOfGarbage_KeepsAnsweringRealQueries()
    {
        await using var server = Start(Loaded());
        var random = new Random(99);
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            socket.Connect(server.LocalEndPoint);
            for (var i = 0; i < 3000; i++)
            {
                var packet = new byte[random.Next(0, 300)];
                random.NextBytes(packet);
                await socket.SendAsync(packet, SocketFlags.None);
            }
        }

        // Garbage over TCP: an empty frame, a frame cut short, and random bytes.
        foreach (var junk in new[] { new byte[] { 0, 0 }, new byte[] { 0, 50, 1, 2, 3 }, Enumerable.Range(0, 200).Select(_ => (byte)random.Next(256)).ToArray() })
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await tcp.ConnectAsync(server.LocalEndPoint);
            await tcp.SendAsync(junk, SocketFlags.None);
            tcp.Shutdown(SocketShutdown.Send);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            // The server answers what it can parse and closes; it must not hang or die.
            while (await DnsTestClient.ReadFrameAsync(tcp, wait.Token) is { } reply)
            {
                Assert.True(DnsMessage.Parse(reply).IsResponse);
            }
        }

        var answer = await DnsTestClient.UdpAsync(server.LocalEndPoint, "my-svc.default.svc.cluster.local", DnsType.A);
        var overTcp = await DnsTestClient.TcpAsync(server.LocalEndPoint, ("my-svc.default.svc.cluster.local", DnsType.A));

        Assert.Equal("10.43.0.20", Assert.Single(answer!.Answers).Data);
        Assert.Equal("10.43.0.20", Assert.Single(overTcp[0].Answers).Data);
        Assert.True(server.Statistics.Malformed > 100, $"malformed: {server.Statistics.Malformed}");
    }

    [Fact]
    public async Task Server_MalformedQuery_FormErrWithTheIdEchoed()
    {
        await using var server = Start(Loaded());
        var query = DnsMessage.BuildQuery(0x4242, "my-svc.default.svc.cluster.local", DnsType.A);

        var reply = await DnsTestClient.UdpRawAsync(server.LocalEndPoint, query[..^3], TimeSpan.FromSeconds(10));

        var message = DnsMessage.Parse(reply!);
        Assert.Equal(0x4242, message.Id);
        Assert.Equal(DnsResponseCode.FormatError, message.ResponseCode);
    }

    [Fact]
    public async Task Server_IdleTcpConnection_ClosedByTheServer()
    {
        await using var server = Start(Loaded(), idle: TimeSpan.FromMilliseconds(300));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.LocalEndPoint);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var read = await socket.ReceiveAsync(new byte[16], SocketFlags.None, wait.Token);

        Assert.Equal(0, read);
    }

    [Fact]
    public async Task Server_TooManyTcpConnections_ExtraOnesClosedOthersServed()
    {
        await using var server = Start(Loaded(), maxConnections: 2);
        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var third = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await first.ConnectAsync(server.LocalEndPoint);
        await second.ConnectAsync(server.LocalEndPoint);
        await third.ConnectAsync(server.LocalEndPoint);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        Assert.Equal(0, await third.ReceiveAsync(new byte[16], SocketFlags.None, wait.Token));
        await DnsTestClient.SendFrameAsync(first, DnsMessage.BuildQuery(1, "my-svc.default.svc.cluster.local", DnsType.A), wait.Token);
        var reply = await DnsTestClient.ReadFrameAsync(first, wait.Token);

        Assert.Equal("10.43.0.20", Assert.Single(DnsMessage.Parse(reply!).Answers).Data);
        Assert.Equal(1, server.Statistics.TcpRefused);
    }

    [Fact]
    public async Task Server_WithoutUpstream_RefusesOtherNamesAndSendsNothingOut()
    {
        await using var server = Start(Loaded());

        var reply = await DnsTestClient.UdpAsync(server.LocalEndPoint, "example.com", DnsType.A);

        Assert.Equal(DnsResponseCode.Refused, reply!.ResponseCode);
        Assert.False(reply.RecursionAvailable);
        Assert.Equal(0, server.Statistics.Forwarded);
    }

    [Fact]
    public async Task Server_WithUpstream_ForwardsOtherNamesOverUdpAndTcp()
    {
        // The "upstream" is a second server of ours on loopback, authoritative for another zone.
        var upstreamZone = new DnsZoneOptions { Domain = "upstream.test" };
        var upstreamStore = new DnsRecordStore();
        upstreamStore.Publish(DnsSnapshotBuilder.Build(upstreamZone, [new DnsService { Namespace = "ns", Name = "far", ClusterIPs = [IPAddress.Parse("10.99.0.1")] }], 1));
        await using var upstream = DnsServer.Start(new DnsServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), Zone = upstreamZone }, upstreamStore);
        await using var server = Start(Loaded(), upstream.LocalEndPoint);

        var udp = await DnsTestClient.UdpAsync(server.LocalEndPoint, "far.ns.svc.upstream.test", DnsType.A);
        var tcp = await DnsTestClient.TcpAsync(server.LocalEndPoint, ("far.ns.svc.upstream.test", DnsType.A));
        var local = await DnsTestClient.UdpAsync(server.LocalEndPoint, "my-svc.default.svc.cluster.local", DnsType.A);

        Assert.Equal("10.99.0.1", Assert.Single(udp!.Answers).Data);
        Assert.Equal("10.99.0.1", Assert.Single(tcp[0].Answers).Data);
        Assert.Equal("10.43.0.20", Assert.Single(local!.Answers).Data);
        Assert.True(local.RecursionAvailable);
        Assert.Equal(2, server.Statistics.Forwarded);
        Assert.Equal(2, upstream.Statistics.Received);
    }

    [Fact]
    public async Task Server_UpstreamSilent_ServFail()
    {
        // A loopback socket that reads queries and never answers.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var server = Start(Loaded(), (IPEndPoint)silent.LocalEndPoint!);

        var reply = await DnsTestClient.UdpAsync(server.LocalEndPoint, "example.com", DnsType.A);

        Assert.Equal(DnsResponseCode.ServerFailure, reply!.ResponseCode);
        Assert.Equal(1, server.Statistics.ForwardFailures);
    }

    [Fact]
    public async Task Server_Disposed_BlockedUdpReceiversStop()
    {
        var server = Start(Loaded());
        // The receivers are blocked in recvfrom once they answered.
        Assert.NotNull(await DnsTestClient.UdpAsync(server.LocalEndPoint, "my-svc.default.svc.cluster.local", DnsType.A));
        Assert.True(server.RunningUdpReceivers >= 2);

        await server.DisposeAsync();

        Assert.Equal(0, server.RunningUdpReceivers);
    }

    [Fact]
    public async Task Server_Idle_ReceiversThrowNothing()
    {
        // Receivers used to wake twice a second from a receive timeout, each time with a SocketException.
        var thrown = 0;
        void Count(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (e.Exception is SocketException && Thread.CurrentThread.Name?.StartsWith("dns-udp-", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref thrown);
            }
        }

        await using var server = Start(Loaded());
        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }

        Assert.Equal(0, thrown);
        Assert.Equal(0, server.Statistics.Received);
    }

    [Fact]
    public async Task Server_Disposed_PortReleased()
    {
        var server = Start(Loaded());
        var endpoint = server.LocalEndPoint;
        await server.DisposeAsync();

        await using var again = DnsServer.Start(new DnsServerOptions { Listen = endpoint, Zone = Zone }, Loaded());

        Assert.Equal(endpoint, again.LocalEndPoint);
    }
}
