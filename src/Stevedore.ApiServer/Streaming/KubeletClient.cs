using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Stevedore.ApiServer.Http;

namespace Stevedore.ApiServer.Streaming;

/// <summary>
/// The API server's connections to kubelets: HTTPS with the API server's client certificate, the
/// kubelet's serving certificate checked against the configured CA (or not, when none is).
/// Streams a log response through, or relays an upgraded (SPDY or WebSocket) connection byte for byte.
/// </summary>
public sealed class KubeletClient : IDisposable
{
    private static readonly string[] UpgradeRequestHeaders =
    [
        "X-Stream-Protocol-Version", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "Origin",
    ];

    private static readonly string[] UpgradeResponseHeaders =
    [
        "X-Stream-Protocol-Version", "X-Accepted-Stream-Protocol-Versions", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol",
    ];

    private readonly HttpMessageInvoker _verifying;
    private readonly HttpMessageInvoker _trusting;

    public KubeletClient(KubeletClientOptions options)
    {
        Options = options;
        _verifying = new HttpMessageInvoker(Handler(options, verify: options.CertificateAuthority is not null));
        _trusting = new HttpMessageInvoker(Handler(options, verify: false));
    }

    public KubeletClientOptions Options { get; }

    /// <summary>
    /// Streams a kubelet log response to <paramref name="context"/>: 200 bodies pass through (flushed
    /// as they come, for follow); a 400 or 500 becomes the matching Status with the kubelet's message.
    /// </summary>
    public async Task StreamLogAsync(HttpContext context, Uri location, bool skipVerify, string podName, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, location) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
        HttpResponseMessage response;
        try
        {
            response = await (skipVerify ? _trusting : _verifying).SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw ApiException.Internal($"Get \"{location}\": {Describe(ex, location)}");
        }

        using (response)
        {
            var code = (int)response.StatusCode;
            if (code is < 200 or > 206)
            {
                var body = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
                throw code switch
                {
                    500 => ApiException.Internal(body),
                    400 => ApiException.BadRequest(body),
                    404 => new ApiException(404, "NotFound", $"the server could not find the requested resource ( pods/log {podName})") { DetailsName = podName, DetailsKind = "pods/log", Causes = [new StatusCause("UnexpectedServerResponse", body, null)] },
                    _ => new ApiException(code, "Unknown", body.Length > 0 ? body : $"the server responded with the status code {code} but did not return more information"),
                };
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/plain";
            await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[32 * 1024];
            int n;
            while ((n = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
            }
        }
    }

    /// <summary>
    /// Sends the client's upgrade request on to the kubelet; when the kubelet switches protocols,
    /// answers 101 with its handshake headers and splices the two connections, otherwise relays its answer.
    /// </summary>
    public async Task RelayUpgradeAsync(HttpContext context, Uri location, CancellationToken cancellationToken)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true })
        {
            throw ApiException.BadRequest("Upgrade request required");
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), location)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Connection.Add("Upgrade");
        foreach (var product in context.Request.Headers.Upgrade.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            request.Headers.Upgrade.Add(ProductHeaderValue.Parse(product));
        }

        foreach (var name in UpgradeRequestHeaders)
        {
            foreach (var value in context.Request.Headers[name])
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await _verifying.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new ApiException(500, "InternalError", $"error dialing backend: {Describe(ex, location)}");
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
            {
                // As upstream: the kubelet's refusal goes back to the client as it is.
                context.Response.StatusCode = (int)response.StatusCode;
                context.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "text/plain; charset=utf-8";
                await response.Content.CopyToAsync(context.Response.Body, cancellationToken);
                return;
            }

            context.Response.Headers.Upgrade = string.Join(", ", response.Headers.Upgrade.Select(u => u.ToString()));
            foreach (var name in UpgradeResponseHeaders)
            {
                if (response.Headers.TryGetValues(name, out var values))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            var backend = await response.Content.ReadAsStreamAsync(cancellationToken);
            var client = await upgrade.UpgradeAsync();
            await StreamSplice.RunAsync(client, backend, cancellationToken);
        }
    }

    public void Dispose()
    {
        _verifying.Dispose();
        _trusting.Dispose();
    }

    private static SocketsHttpHandler Handler(KubeletClientOptions options, bool verify) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificates = options.ClientCertificate is null ? null : new X509CertificateCollection { options.ClientCertificate },
            // The upgrade must stay on HTTP/1.1.
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            RemoteCertificateValidationCallback = verify
                ? (_, certificate, _, _) => certificate is not null && IsSignedBy(new X509Certificate2(certificate), options.CertificateAuthority!)
                : (_, _, _, _) => true,
        },
    };

    private static bool IsSignedBy(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>A dial failure in the words Go uses, which is what kubectl users see upstream.</summary>
    private static string Describe(HttpRequestException ex, Uri location)
    {
        var target = $"{location.Host}:{location.Port}";
        return (ex.InnerException as SocketException)?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => $"dial tcp {target}: connect: connection refused",
            SocketError.TimedOut => $"dial tcp {target}: i/o timeout",
            SocketError.HostUnreachable or SocketError.NetworkUnreachable => $"dial tcp {target}: connect: no route to host",
            _ => ex.InnerException?.Message ?? ex.Message,
        };
    }
}
