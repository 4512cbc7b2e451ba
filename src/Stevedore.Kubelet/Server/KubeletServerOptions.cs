using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Stevedore.Cri.V1;

namespace Stevedore.Kubelet.Server;

/// <summary>What the kubelet's HTTPS server needs; the agent host fills it in.</summary>
public sealed class KubeletServerOptions
{
    /// <summary>The kubelet's port upstream.</summary>
    public const int DefaultPort = 10250;

    /// <summary>Where to listen; port 0 picks a free port (see <see cref="KubeletServer.Port"/>).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Any, DefaultPort);

    /// <summary>The serving certificate, with its private key.</summary>
    public required X509Certificate2 ServingCertificate { get; init; }

    /// <summary>Clients (the API server) must present a certificate this CA signed.</summary>
    public required X509Certificate2 ClientCertificateAuthority { get; init; }

    /// <summary>The container runtime.</summary>
    public required RuntimeService.RuntimeServiceClient Runtime { get; init; }

    /// <summary>
    /// Sends requests to the runtime's streaming URLs (plain HTTP on loopback for Stevedore and
    /// containerd); a default handler when null.
    /// </summary>
    public HttpMessageInvoker? StreamingClient { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
