using System.Net;
using System.Net.Sockets;
using k8s.Models;

namespace Stevedore.Kubelet.Probes;

/// <summary>A tcpSocket probe: passes when a TCP connection opens within the timeout (then closes it at once).</summary>
internal static class TcpSocketProber
{
    public static async Task<ProbeResult> ProbeAsync(V1TCPSocketAction action, V1Container container, string? podIp, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var host = string.IsNullOrEmpty(action.Host) ? podIp : action.Host;
        if (string.IsNullOrEmpty(host))
        {
            return ProbeResult.Error("the pod has no IP address yet");
        }

        if (ContainerPorts.Resolve(action.Port, container, out var error) is not { } port)
        {
            return ProbeResult.Error(error);
        }

        var address = IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]:{port}" : $"{host}:{port}";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout > TimeSpan.Zero ? timeout : TimeSpan.FromSeconds(1));
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, deadline.Token);
            return ProbeResult.Success();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Failure($"dial tcp {address}: i/o timeout");
        }
        catch (SocketException ex)
        {
            return ProbeResult.Failure(ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => $"dial tcp {address}: connect: connection refused",
                SocketError.TimedOut => $"dial tcp {address}: i/o timeout",
                SocketError.HostUnreachable => $"dial tcp {address}: connect: no route to host",
                SocketError.NetworkUnreachable => $"dial tcp {address}: connect: network is unreachable",
                SocketError.HostNotFound or SocketError.NoData => $"dial tcp: lookup {host}: no such host",
                _ => $"dial tcp {address}: {ex.Message}",
            });
        }
    }
}
