using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Stevedore.Kubelet.Server;

/// <summary>
/// Forwards an HTTP/1.1 upgrade request (SPDY/3.1 or WebSocket) to another URL and, once that side
/// switches protocols, splices the two connections; any other answer is relayed as it is.
/// </summary>
internal static class UpgradeProxy
{
    // Headers of the handshake itself; everything else about the request stays with this hop.
    private static readonly string[] ForwardedRequestHeaders =
    [
        "X-Stream-Protocol-Version", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "Origin",
    ];

    private static readonly string[] ForwardedResponseHeaders =
    [
        "X-Stream-Protocol-Version", "X-Accepted-Stream-Protocol-Versions", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol",
    ];

    /// <summary>Whether the request asks to switch protocols.</summary>
    public static bool IsUpgrade(HttpContext context) => context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true };

    public static async Task ProxyAsync(HttpContext context, Uri target, HttpMessageInvoker invoker, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Connection.Add("Upgrade");
        foreach (var product in context.Request.Headers.Upgrade.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            request.Headers.Upgrade.Add(ProductHeaderValue.Parse(product));
        }

        foreach (var name in ForwardedRequestHeaders)
        {
            foreach (var value in context.Request.Headers[name])
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await invoker.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "text/plain; charset=utf-8";
            await response.Content.CopyToAsync(context.Response.Body, cancellationToken);
            return;
        }

        context.Response.Headers.Upgrade = string.Join(", ", response.Headers.Upgrade.Select(u => u.ToString()));
        foreach (var name in ForwardedResponseHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        var backend = await response.Content.ReadAsStreamAsync(cancellationToken);
        var client = await context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
        await StreamSplice.RunAsync(client, backend, cancellationToken);
    }
}
