using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using k8s.Models;

namespace Stevedore.Kubelet.Probes;

/// <summary>
/// The HTTP GET shared by httpGet probes and httpGet lifecycle hooks, with upstream's rules: HTTP or
/// HTTPS without certificate verification, no proxy, no keep-alive, the User-Agent
/// <c>kube-probe/1.33</c> (or <c>kube-lifecycle/1.33</c>) unless the spec sets one, <c>Accept: */*</c>
/// unless set, redirects followed only while they stay on the same host (at most 10), the body read up
/// to 10 KiB. Failures are returned as Go's client prints them (<c>Get "URL": dial tcp ...: connect:
/// connection refused</c>), because that text ends up in Unhealthy events.
/// </summary>
internal sealed class HttpGetClient : IDisposable
{
    /// <summary>Upstream reads at most 10 KiB of a probe's response body.</summary>
    public const int MaxBody = 10 << 10;

    /// <summary>Upstream's client gives up once this many requests were redirected.</summary>
    public const int MaxRedirects = 10;

    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.Zero,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    });

    /// <summary>The URL an action names: scheme (default http), host (default the pod IP), port by number or name, path with its query.</summary>
    public static Uri? TargetOf(V1HTTPGetAction action, V1Container container, string? podIp, out string error)
    {
        var scheme = string.IsNullOrEmpty(action.Scheme) ? "http" : action.Scheme.ToLowerInvariant();
        if (scheme is not ("http" or "https"))
        {
            error = $"unsupported protocol scheme {UpstreamText.Quote(scheme)}";
            return null;
        }

        var host = string.IsNullOrEmpty(action.Host) ? podIp : action.Host;
        if (string.IsNullOrEmpty(host))
        {
            error = "the pod has no IP address yet";
            return null;
        }

        if (ContainerPorts.Resolve(action.Port, container, out error) is not { } port)
        {
            return null;
        }

        var path = action.Path ?? "";
        if (!path.StartsWith('/'))
        {
            path = "/" + path;
        }

        var hostPart = IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        if (!Uri.TryCreate($"{scheme}://{hostPart}:{port}{path}", UriKind.Absolute, out var uri))
        {
            error = $"parse {UpstreamText.Quote($"{scheme}://{hostPart}:{port}{path}")}: invalid URL";
            return null;
        }

        error = "";
        return uri;
    }

    /// <summary>
    /// GETs <paramref name="target"/>, following same-host redirects. <paramref name="timeout"/> bounds the
    /// whole exchange (zero or less: only <paramref name="cancellationToken"/> does).
    /// </summary>
    public async Task<HttpGetResult> GetAsync(Uri target, IList<V1HTTPHeader>? headers, string purpose, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout > TimeSpan.Zero)
        {
            deadline.CancelAfter(timeout);
        }

        var url = target;
        for (var requests = 1; ; requests++)
        {
            HttpResponseMessage response;
            using (var request = NewRequest(url, headers, purpose))
            {
                try
                {
                    response = await _invoker.SendAsync(request, deadline.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return HttpGetResult.Failed($"Get {UpstreamText.Quote(url.OriginalString)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or AuthenticationException)
                {
                    return HttpGetResult.Failed($"Get {UpstreamText.Quote(url.OriginalString)}: {Describe(ex, url)}");
                }
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                var location = response.Headers.Location;
                if (status is 301 or 302 or 303 or 307 or 308 && location is not null)
                {
                    var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                    // Only redirects on the same host are followed, so a probe never wanders off the pod.
                    if (string.Equals(next.Host, target.Host, StringComparison.OrdinalIgnoreCase) && next.Scheme is "http" or "https")
                    {
                        if (requests >= MaxRedirects)
                        {
                            return HttpGetResult.Failed($"Get {UpstreamText.Quote(next.OriginalString)}: stopped after {MaxRedirects} redirects");
                        }

                        url = next;
                        continue;
                    }
                }

                try
                {
                    var body = await ReadAtMostAsync(response.Content, MaxBody, deadline.Token);
                    return new HttpGetResult(status, body, null);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return HttpGetResult.BodyFailed(status, $"Get {UpstreamText.Quote(url.OriginalString)}: context deadline exceeded (Client.Timeout or context cancellation while reading body)");
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException)
                {
                    return HttpGetResult.BodyFailed(status, Describe(ex, url));
                }
            }
        }
    }

    public void Dispose() => _invoker.Dispose();

    private static HttpRequestMessage NewRequest(Uri url, IList<V1HTTPHeader>? headers, string purpose)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        var hasAccept = false;
        var hasUserAgent = false;
        foreach (var header in headers ?? [])
        {
            if (string.IsNullOrEmpty(header.Name))
            {
                continue;
            }

            if (header.Name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = header.Value;
                continue;
            }

            hasAccept |= header.Name.Equals("Accept", StringComparison.OrdinalIgnoreCase);
            hasUserAgent |= header.Name.Equals("User-Agent", StringComparison.OrdinalIgnoreCase);
            // An Accept set to "" means "send no Accept" upstream.
            if (!string.IsNullOrEmpty(header.Value) || !header.Name.Equals("Accept", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(header.Name, header.Value ?? "");
            }
        }

        if (!hasUserAgent)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", UpstreamText.UserAgent(purpose));
        }

        if (!hasAccept)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*"));
        }

        request.Headers.ConnectionClose = true;
        return request;
    }

    private static async Task<string> ReadAtMostAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[limit];
        var filled = 0;
        while (filled < limit)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, filled);
    }

    /// <summary>An exception as the corresponding Go net error reads.</summary>
    private static string Describe(Exception ex, Uri url)
    {
        var address = $"{(url.HostNameType == UriHostNameType.IPv6 ? $"[{url.IdnHost}]" : url.IdnHost)}:{url.Port}";
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => $"dial tcp {address}: connect: connection refused",
                    SocketError.TimedOut => $"dial tcp {address}: i/o timeout",
                    SocketError.HostUnreachable => $"dial tcp {address}: connect: no route to host",
                    SocketError.NetworkUnreachable => $"dial tcp {address}: connect: network is unreachable",
                    SocketError.ConnectionReset => $"read tcp {address}: read: connection reset by peer",
                    SocketError.HostNotFound or SocketError.NoData => $"dial tcp: lookup {url.IdnHost}: no such host",
                    _ => $"dial tcp {address}: {socket.Message}",
                };
            }

            if (inner is AuthenticationException)
            {
                return "tls: " + inner.Message;
            }
        }

        if (ex is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded })
        {
            return "EOF";
        }

        var innermost = ex;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost.Message;
    }
}

/// <summary>The final response's status and (capped) body, or why there is none.</summary>
internal sealed record HttpGetResult(int? StatusCode, string Body, string? Error)
{
    /// <summary>No response at all: <see cref="Error"/> is Go's client error text.</summary>
    public static HttpGetResult Failed(string error) => new(null, "", error);

    /// <summary>A response whose body could not be read.</summary>
    public static HttpGetResult BodyFailed(int status, string error) => new(status, "", error);
}
