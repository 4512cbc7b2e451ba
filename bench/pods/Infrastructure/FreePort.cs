using System.Net;
using System.Net.Sockets;

namespace PodsBench.Infrastructure;

/// <summary>Loopback ports that are free right now (the OS picks them).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
