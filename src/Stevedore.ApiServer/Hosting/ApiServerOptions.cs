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

    /// <summary>Decides every authenticated request (403 unless allowed); null lets every authenticated user do anything.</summary>
    public Security.Authorization.IAuthorizer? Authorizer { get; init; }

    /// <summary>Signs TokenRequests and backs the OpenID discovery documents; null serves neither.</summary>
    public Security.ServiceAccounts.ServiceAccountTokenIssuer? ServiceAccountTokens { get; init; }

    /// <summary>Built-in admission plugins to run, by upstream name (see <c>Admission/AdmissionPlugins</c>).</summary>
    public IReadOnlyList<string> AdmissionPlugins { get; init; } = [];

    /// <summary>How pods/log, exec, attach and portforward reach kubelets (client certificate, kubelet CA).</summary>
    public Streaming.KubeletClientOptions KubeletClient { get; init; } = new();

    public ILoggerFactory LoggerFactory { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The IPv4 range Service cluster IPs come from (<c>--service-cidr</c>); its first address is the <c>kubernetes</c> Service's.</summary>
    public string ServiceCidr { get; init; } = Services.ServiceIPRange.DefaultCidr;

    /// <summary>Node ports for NodePort and LoadBalancer Services (<c>--service-node-port-range</c>).</summary>
    public string ServiceNodePortRange { get; init; } = Services.NodePortRange.Default;

    /// <summary>
    /// The cluster DNS address: when set, <c>kube-system/kube-dns</c> is created with it at start-up
    /// (see <see cref="Services.ClusterDnsService"/>); null creates none.
    /// </summary>
    public IPAddress? ClusterDnsService { get; init; }

    /// <summary>The address the <c>kubernetes</c> endpoints point at; derived from <see cref="Listen"/> when null.</summary>
    public IPAddress? AdvertiseAddress { get; init; }

    /// <summary>
    /// The cluster CA (PEM), served to anyone at <c>/cacerts</c> as k3s does: a joining agent whose token names the
    /// CA's hash fetches it there and checks it (TLS stacks such as .NET's never send a self-signed root in the
    /// handshake). Null serves no <c>/cacerts</c>. A CA certificate is public; its key never leaves the server.
    /// </summary>
    public string? ClusterCaPem { get; init; }
}
