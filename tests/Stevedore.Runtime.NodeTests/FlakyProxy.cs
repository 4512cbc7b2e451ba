using System.Net;
using System.Net.Sockets;

namespace Stevedore.Runtime.NodeTests;

/// <summary>
/// A loopback HTTP proxy in front of a registry that can break the first download of large blobs halfway
/// (full Content-Length promised, half sent, connection dropped) and can demand Bearer tokens, which
/// it hands out at <c>/token</c> the way Docker Hub's auth service does. It records what it sees.
/// </summary>
public sealed class FlakyProxy : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly string _target;
    private readonly HashSet<string> _broken = [];
    private readonly Task _loop;
    private readonly bool _breakBlobs;
    private readonly bool _requireBearer;

    /// <summary>The token the proxy hands out and accepts.</summary>
    public const string Token = "test-token-5f0c";

    public FlakyProxy(string targetHost, bool breakBlobs = true, bool requireBearer = false)
    {
        _target = targetHost;
        _breakBlobs = breakBlobs;
        _requireBearer = requireBearer;
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        Host = $"127.0.0.1:{port}";
        _listener.Prefixes.Add($"http://{Host}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary><c>127.0.0.1:port</c> of the proxy.</summary>
    public string Host { get; }

    /// <summary>Range headers of blob requests, in arrival order.</summary>
    public List<string> Ranges { get; } = [];

    /// <summary>The query strings of token requests.</summary>
    public List<string> TokenRequests { get; } = [];

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var path = context.Request.Url!.PathAndQuery;
        if (context.Request.Url.AbsolutePath == "/token")
        {
            lock (TokenRequests)
            {
                TokenRequests.Add(context.Request.Url.Query);
            }

            var json = System.Text.Encoding.UTF8.GetBytes($"{{\"token\":\"{Token}\",\"expires_in\":300}}");
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(json);
            context.Response.Close();
            return;
        }

        if (_requireBearer && context.Request.Headers["Authorization"] != "Bearer " + Token)
        {
            var marker = path.Contains("/manifests/", StringComparison.Ordinal) ? "/manifests/" : "/blobs/";
            var repository = path.StartsWith("/v2/", StringComparison.Ordinal) && path.Contains(marker, StringComparison.Ordinal)
                ? path[4..path.IndexOf(marker, StringComparison.Ordinal)]
                : "";
            context.Response.StatusCode = 401;
            context.Response.Headers["WWW-Authenticate"] = $"Bearer realm=\"http://{Host}/token\",service=\"flaky-proxy\",scope=\"repository:{repository}:pull\"";
            context.Response.Close();
            return;
        }
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), $"http://{_target}{path}");
        foreach (var name in new[] { "Accept", "Range", "Authorization" })
        {
            if (context.Request.Headers[name] is { } value)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        var isBlob = path.Contains("/blobs/sha256:", StringComparison.Ordinal) && context.Request.HttpMethod == "GET";
        if (isBlob)
        {
            lock (Ranges)
            {
                Ranges.Add(context.Request.Headers["Range"] ?? "");
            }
        }

        try
        {
            using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Concat(response.Content.Headers))
            {
                if (header.Key is "Content-Length" or "Transfer-Encoding")
                {
                    continue;
                }

                context.Response.Headers[header.Key] = string.Join(",", header.Value);
            }

            var body = await response.Content.ReadAsByteArrayAsync();
            context.Response.ContentLength64 = body.Length;
            bool breakThis;
            lock (_broken)
            {
                breakThis = _breakBlobs && isBlob && body.Length > 100_000 && _broken.Add(path);
            }

            if (breakThis)
            {
                await context.Response.OutputStream.WriteAsync(body.AsMemory(0, body.Length / 2));
                await context.Response.OutputStream.FlushAsync();
                context.Response.Abort();
                return;
            }

            if (context.Request.HttpMethod != "HEAD")
            {
                await context.Response.OutputStream.WriteAsync(body);
            }

            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or HttpRequestException)
        {
            context.Response.Abort();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _upstream.Dispose();
    }
}
