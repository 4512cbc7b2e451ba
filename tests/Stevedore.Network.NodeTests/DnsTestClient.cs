using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Stevedore.Network.Dns.Wire;

namespace Stevedore.Network.NodeTests;

/// <summary>Real DNS packets over real sockets, the way a stub resolver sends them.</summary>
public static class DnsTestClient
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>One query over UDP; null when no answer came within the timeout.</summary>
    public static async Task<DnsMessage?> UdpAsync(IPEndPoint server, string name, ushort type, int? ednsUdpSize = null)
    {
        var id = (ushort)Random.Shared.Next(65536);
        var reply = await UdpRawAsync(server, DnsMessage.BuildQuery(id, name, type, ednsUdpSize: ednsUdpSize), Timeout);
        if (reply is null)
        {
            return null;
        }

        var message = DnsMessage.Parse(reply);
        Assert.Equal(id, message.Id);
        return message;
    }

    /// <summary>Sends bytes over UDP and returns the first datagram back, or null after <paramref name="timeout"/>.</summary>
    public static async Task<byte[]?> UdpRawAsync(IPEndPoint server, byte[] packet, TimeSpan timeout)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        await socket.SendAsync(packet, SocketFlags.None);
        var buffer = new byte[65535];
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            return buffer[..received];
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Queries over one TCP connection, in order.</summary>
    public static async Task<IReadOnlyList<DnsMessage>> TcpAsync(IPEndPoint server, params (string Name, ushort Type)[] questions)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var deadline = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(server, deadline.Token);
        var answers = new List<DnsMessage>();
        foreach (var (name, type) in questions)
        {
            var id = (ushort)Random.Shared.Next(65536);
            await SendFrameAsync(socket, DnsMessage.BuildQuery(id, name, type), deadline.Token);
            var reply = await ReadFrameAsync(socket, deadline.Token) ?? throw new InvalidOperationException("the server closed the connection");
            var message = DnsMessage.Parse(reply);
            Assert.Equal(id, message.Id);
            answers.Add(message);
        }

        return answers;
    }

    public static async Task SendFrameAsync(Socket socket, byte[] message, CancellationToken cancellationToken)
    {
        var frame = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)message.Length);
        message.CopyTo(frame, 2);
        await socket.SendAsync(frame, SocketFlags.None, cancellationToken);
    }

    /// <summary>One length-prefixed message, or null when the server closed the connection.</summary>
    public static async Task<byte[]?> ReadFrameAsync(Socket socket, CancellationToken cancellationToken)
    {
        var prefix = new byte[2];
        if (!await ReadExactlyAsync(socket, prefix, cancellationToken))
        {
            return null;
        }

        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        return await ReadExactlyAsync(socket, message, cancellationToken) ? message : null;
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return false;
            }

            total += read;
        }

        return true;
    }
}
