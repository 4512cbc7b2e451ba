using System.Net;
using System.Net.Sockets;
using System.Text;
using Stevedore.Network.Netns;

namespace Stevedore.Network.NodeTests;

/// <summary>
/// TCP endpoints inside network namespaces, made in this process: a socket created while a thread is
/// in a namespace stays there. A listener answers every connection with its name, so a client knows
/// exactly which pod it reached.
/// </summary>
public sealed class PodListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private PodListener(Socket socket, string greeting)
    {
        _socket = socket;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _socket.AcceptAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                using (client)
                {
                    await client.SendAsync(Encoding.UTF8.GetBytes(greeting + "\n"), SocketFlags.None);
                    client.Shutdown(SocketShutdown.Both);
                }
            }
        });
    }

    /// <summary>Listens on <paramref name="port"/> (all addresses) inside the namespace at <paramref name="netnsPath"/>.</summary>
    public static PodListener Start(string netnsPath, int port, string greeting) =>
        new(NetworkNamespace.Run(netnsPath, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            socket.Listen(16);
            return socket;
        }), greeting);

    /// <summary>
    /// Connects from inside <paramref name="netnsPath"/> (the host when null) and returns the greeting,
    /// or null when no connection was made within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<string?> GreetingAsync(string? netnsPath, IPAddress address, int port, TimeSpan timeout)
    {
        var socket = netnsPath is null
            ? new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : NetworkNamespace.Run(netnsPath, () => new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        using (socket)
        {
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

                return Encoding.UTF8.GetString(buffer, 0, total).Trim();
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                return null;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
