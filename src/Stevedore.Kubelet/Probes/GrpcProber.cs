using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Stevedore.Kubelet.Probes.Health;

namespace Stevedore.Kubelet.Probes;

/// <summary>
/// A grpc probe: <c>grpc.health.v1.Health/Check</c> over plaintext HTTP/2 on the pod IP and the given port,
/// with the optional service name. SERVING passes; any other answer, an error or the timeout fails,
/// with upstream's messages.
/// </summary>
internal static class GrpcProber
{
    public static async Task<ProbeResult> ProbeAsync(string? podIp, int port, string? service, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(podIp))
        {
            return ProbeResult.Error("the pod has no IP address yet");
        }

        if (port is <= 0 or >= 65536)
        {
            return ProbeResult.Error($"invalid port number: {port}");
        }

        if (timeout <= TimeSpan.Zero)
        {
            timeout = TimeSpan.FromSeconds(1);
        }

        var address = IPAddress.TryParse(podIp, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{podIp}]:{port}" : $"{podIp}:{port}";
        using var channel = GrpcChannel.ForAddress("http://" + address, new GrpcChannelOptions
        {
            HttpHandler = new UserAgentHandler(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = timeout }),
            DisposeHttpClient = true,
        });
        var client = new Health.Health.HealthClient(channel);
        try
        {
            var response = await client.CheckAsync(new HealthCheckRequest { Service = service ?? "" }, deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken);
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? ProbeResult.Success("service healthy")
                : ProbeResult.Failure($"service unhealthy (responded with {UpstreamText.Quote(StatusName(response.Status))})");
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Failure(Describe(ex, address, timeout));
        }
    }

    private static string Describe(RpcException ex, string address, TimeSpan timeout)
    {
        for (var inner = ex.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                var reason = socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.TimedOut => "i/o timeout",
                    SocketError.HostUnreachable => "no route to host",
                    _ => socket.Message,
                };
                return $"error: failed to connect service at {UpstreamText.Quote(address)}: dial tcp {address}: connect: {reason}";
            }

            if (inner is OperationCanceledException or TimeoutException && ex.StatusCode == StatusCode.Unavailable)
            {
                return $"timeout: failed to connect service {UpstreamText.Quote(address)} within {UpstreamText.Duration(timeout)}: context deadline exceeded";
            }
        }

        return ex.StatusCode switch
        {
            StatusCode.Unimplemented => $"error: this server does not implement the grpc health protocol (grpc.health.v1.Health): {ex.Status.Detail}",
            StatusCode.DeadlineExceeded => $"timeout: health rpc did not complete within {UpstreamText.Duration(timeout)}",
            _ => $"error: health rpc probe failed: rpc error: code = {ex.StatusCode} desc = {ex.Status.Detail}",
        };
    }

    /// <summary>The proto enum name (NOT_SERVING), which is what upstream prints.</summary>
    private static string StatusName(HealthCheckResponse.Types.ServingStatus status) => status switch
    {
        HealthCheckResponse.Types.ServingStatus.Unknown => "UNKNOWN",
        HealthCheckResponse.Types.ServingStatus.Serving => "SERVING",
        HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
        HealthCheckResponse.Types.ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN",
        _ => ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Sends upstream's <c>kube-probe/1.33</c> instead of the gRPC library's own User-Agent.</summary>
    private sealed class UserAgentHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove("User-Agent");
            request.Headers.TryAddWithoutValidation("User-Agent", UpstreamText.UserAgent("probe"));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
