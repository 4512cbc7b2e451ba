using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Stevedore.Runtime.Native;

/// <summary>
/// Connections made from inside another process's network namespace (a pod's), for port-forward.
/// A socket belongs to the namespace it was created in, whichever thread uses it later: a dedicated
/// thread joins the namespace (setns), creates the sockets, and ends, taking its namespace with it;
/// the sockets are then used from ordinary threads.
/// </summary>
internal static partial class NetworkNamespace
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>
    /// Connects to localhost:<paramref name="port"/> in the network namespace at <paramref name="netnsPath"/>
    /// (a pinned namespace, or <c>/proc/&lt;pid&gt;/ns/net</c> of a process in it),
    /// over IPv4 and then IPv6, like the kubelet's port-forward.
    /// </summary>
    /// <exception cref="SocketException">Nothing listens there (the last attempt's error).</exception>
    /// <exception cref="IOException">The namespace cannot be entered (the process or the pinned file is gone).</exception>
    public static async Task<Socket> ConnectLoopbackAsync(string netnsPath, int port, CancellationToken cancellationToken)
    {
        var sockets = await CreateSocketsAsync(netnsPath);
        SocketException? failure = null;
        foreach (var (socket, address) in sockets)
        {
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                foreach (var (other, _) in sockets.Where(s => s.Socket != socket))
                {
                    other.Dispose();
                }

                return socket;
            }
            catch (SocketException ex)
            {
                failure = ex;
                socket.Dispose();
            }
            catch
            {
                foreach (var (s, _) in sockets)
                {
                    s.Dispose();
                }

                throw;
            }
        }

        throw failure ?? new SocketException((int)SocketError.AddressNotAvailable);
    }

    private static Task<List<(Socket Socket, IPAddress Address)>> CreateSocketsAsync(string netnsPath)
    {
        // Continuations must not run on the thread inside the namespace.
        var created = new TaskCompletionSource<List<(Socket, IPAddress)>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(netnsPath, FileMode.Open, FileAccess.Read);
                Libc.Check(SetNs((int)handle.DangerousGetHandle(), CloneNewNet), $"setns into the network namespace {netnsPath}");
                var sockets = new List<(Socket, IPAddress)> { (new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), IPAddress.Loopback) };
                try
                {
                    sockets.Add((new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp), IPAddress.IPv6Loopback));
                }
                catch (SocketException)
                {
                    // No IPv6 in this namespace.
                }

                created.SetResult(sockets);
            }
            catch (Exception ex)
            {
                created.SetException(ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException
                    ? new IOException($"cannot open the network namespace {netnsPath}: {ex.Message}", ex)
                    : ex);
            }
        })
        {
            IsBackground = true,
            Name = "netns-dial",
        };
        thread.Start();
        return created.Task;
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nsType);
}
