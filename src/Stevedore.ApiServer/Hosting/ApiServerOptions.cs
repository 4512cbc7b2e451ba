using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.Storage;

namespace Stevedore.ApiServer.Hosting;

/// <summary>Everything the API server host needs; the CLI and the tests fill it in.</summary>
public sealed class ApiServerOptions
{
    public required IStore Store { get; init; }

    /// <summary>Address to listen on; port 0 picks a free port (see <see cref="ApiServerHost.Address"/>).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 6443);

    /// <summary>Configures TLS on the listener. Required by the CLI; only in-process tests leave it null.</summary>
    public Action<ListenOptions>? ConfigureHttps { get; init; }

    /// <summary>Authenticates a request; null means "not authenticated" (401).</summary>
    public required IAuthenticator Authenticator { get; init; }

    public IReviewResponder? Reviews { get; init; }

    /// <summary>How pods/log, exec, attach and portforward reach kubelets (client certificate, kubelet CA).</summary>
    public Streaming.KubeletClientOptions KubeletClient { get; init; } = new();

    public ILoggerFactory LoggerFactory { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
