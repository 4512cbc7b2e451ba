using System.Net.Sockets;
using Grpc.Net.Client;
using Stevedore.Cri.V1;

namespace Stevedore.Kubelet.Cri;

/// <summary>
/// The agent's only way to the container runtime: CRI v1 RuntimeService and ImageService over one
/// gRPC channel to a unix socket (Stevedore's engine or containerd alike).
/// </summary>
public sealed class CriConnection : IDisposable
{
    private readonly GrpcChannel _channel;

    /// <summary>Connects lazily to <paramref name="endpoint"/>: <c>unix:///path/to.sock</c> or a plain socket path.</summary>
    public CriConnection(string endpoint)
    {
        SocketPath = SocketPathOf(endpoint);
        var socketPath = SocketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            // Many calls run at once (one per pod worker); HTTP/2 multiplexes them on a few connections.
            EnableMultipleHttp2Connections = true,
        };
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
        Runtime = new RuntimeService.RuntimeServiceClient(_channel);
        Images = new ImageService.ImageServiceClient(_channel);
    }

    /// <summary>The unix socket the channel connects to.</summary>
    public string SocketPath { get; }

    public RuntimeService.RuntimeServiceClient Runtime { get; }

    public ImageService.ImageServiceClient Images { get; }

    /// <summary>The socket path of an endpoint; only unix sockets are supported, as upstream on Linux.</summary>
    /// <exception cref="ArgumentException">The endpoint is not <c>unix://</c> or an absolute path.</exception>
    public static string SocketPathOf(string endpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        if (endpoint.StartsWith("unix://", StringComparison.Ordinal))
        {
            var path = endpoint["unix://".Length..];
            if (path.StartsWith('/'))
            {
                return path;
            }
        }
        else if (endpoint.StartsWith('/'))
        {
            return endpoint;
        }

        throw new ArgumentException($"container runtime endpoint \"{endpoint}\": expected unix:///path/to/socket", nameof(endpoint));
    }

    public void Dispose() => _channel.Dispose();
}
