using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Stevedore.Network.Dns.Server;

/// <summary>
/// Sends a query the cluster zone does not cover to the configured upstream and returns its reply.
/// Each query goes out with a fresh random ID on a fresh socket (a random source port), so a forged
/// reply must guess both; the client's ID is put back into the reply.
/// </summary>
internal sealed class DnsForwarder(IPEndPoint upstream, TimeSpan timeout)
{
    public IPEndPoint Upstream { get; } = upstream;

    /// <summary>The upstream's reply to <paramref name="query"/>, or null when it did not answer in time or answered nonsense.</summary>
    public async Task<byte[]?> ForwardAsync(ReadOnlyMemory<byte> query, bool tcp, CancellationToken cancellationToken)
    {
        if (query.Length < 12)
        {
            return null;
        }

        var clientId = BinaryPrimitives.ReadUInt16BigEndian(query.Span);
        var id = (ushort)RandomNumberGenerator.GetInt32(0, 65536);
        var outgoing = query.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(outgoing, id);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var reply = tcp ? await OverTcpAsync(outgoing, deadline.Token) : await OverUdpAsync(outgoing, id, deadline.Token);
            if (reply is null || reply.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(reply) != id)
            {
                return null;
            }

            BinaryPrimitives.WriteUInt16BigEndian(reply, clientId);
            return reply;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private async Task<byte[]?> OverUdpAsync(byte[] outgoing, ushort id, CancellationToken cancellationToken)
    {
        using var socket = new Socket(Upstream.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(Upstream, cancellationToken);
        await socket.SendAsync(outgoing, SocketFlags.None, cancellationToken);
        var buffer = new byte[DnsResponder.MaxMessage];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            // A connected socket only hears from the upstream; still, only the reply to this ID counts.
            if (received >= 12 && BinaryPrimitives.ReadUInt16BigEndian(buffer) == id)
            {
                return buffer[..received];
            }
        }
    }

    private async Task<byte[]?> OverTcpAsync(byte[] outgoing, CancellationToken cancellationToken)
    {
        using var socket = new Socket(Upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(Upstream, cancellationToken);
        var framed = new byte[outgoing.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)outgoing.Length);
        outgoing.CopyTo(framed, 2);
        await socket.SendAsync(framed, SocketFlags.None, cancellationToken);
        var length = new byte[2];
        if (!await DnsTcp.ReadExactlyAsync(socket, length, cancellationToken))
        {
            return null;
        }

        var reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
        return await DnsTcp.ReadExactlyAsync(socket, reply, cancellationToken) ? reply : null;
    }
}

/// <summary>Reading DNS-over-TCP frames.</summary>
internal static class DnsTcp
{
    /// <summary>Fills <paramref name="buffer"/>; false when the peer closed first.</summary>
    public static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer[total..], SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return false;
            }

            total += read;
        }

        return true;
    }
}
