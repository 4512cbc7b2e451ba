using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApiServerBench.Infrastructure;

namespace ControlPlaneBench.Infrastructure;

/// <summary>The few REST calls the benchmark makes, over one HTTP/2 client.</summary>
public sealed class ClusterApi(HttpClient http)
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private static readonly MediaTypeHeaderValue MergePatchType = new("application/merge-patch+json");

    /// <summary>POSTs an object; true on 201 Created. The response body is read in full, as a real client would.</summary>
    public async Task<bool> TryCreateAsync(string collectionPath, byte[] body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, collectionPath, body, cancellationToken);
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return response.StatusCode == HttpStatusCode.Created;
    }

    /// <summary>POSTs an object and returns the stored object's resourceVersion; throws unless 201.</summary>
    public async Task<string> CreateAsync(string collectionPath, JsonObject body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, collectionPath, Encoding.UTF8.GetBytes(body.ToJsonString()), cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new HttpRequestException($"POST {collectionPath}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
        }

        using var document = JsonDocument.Parse(bytes);
        return document.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
    }

    /// <summary>Sends a JSON merge patch; throws unless 200.</summary>
    public async Task MergePatchAsync(string path, JsonObject patch, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(patch.ToJsonString()));
        content.Headers.ContentType = MergePatchType;
        using var request = Http2.Request(HttpMethod.Patch, path, content);
        using var response = Http2.Checked(await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken));
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"PATCH {path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
        }
    }

    /// <summary>GETs a path and parses the body; throws unless 200.</summary>
    public async Task<JsonDocument> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var request = Http2.Request(HttpMethod.Get, path);
        using var response = Http2.Checked(await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken));
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"GET {path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
        }

        return JsonDocument.Parse(bytes);
    }

    /// <summary>
    /// Watches <paramref name="path"/> (a collection) from <paramref name="resourceVersion"/>, handing every
    /// event line to <paramref name="onEvent"/> until it returns false or <paramref name="cancellationToken"/> fires.
    /// <paramref name="opened"/> completes once the server answered the watch. A watch the server ends (as it
    /// ends one that falls too far behind, like upstream's) is opened again from the last event seen, as a
    /// reflector does; <paramref name="resumed"/> is told each time.
    /// </summary>
    public async Task WatchAsync(string path, string resourceVersion, Func<JsonElement, bool> onEvent, TaskCompletionSource opened, CancellationToken cancellationToken, Action<string>? resumed = null)
    {
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var from = resourceVersion;
        for (var attempt = 0; ; attempt++)
        {
            var url = $"{path}{separator}watch=1&allowWatchBookmarks=false&resourceVersion={from}&timeoutSeconds=3600";
            using var request = Http2.Request(HttpMethod.Get, url);
            using var response = Http2.Checked(await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var failure = new HttpRequestException($"watch {url}: {(int)response.StatusCode}");
                opened.TrySetException(failure);
                throw failure;
            }

            opened.TrySetResult();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (root.GetProperty("type").GetString() == "ERROR")
                {
                    // 410 Gone among them: the events in between are lost, so the measurement is.
                    throw new InvalidOperationException($"watch {path} ended with an error: {line}");
                }

                if (root.TryGetProperty("object", out var obj) && obj.TryGetProperty("metadata", out var meta)
                    && meta.TryGetProperty("resourceVersion", out var rv) && rv.GetString() is { Length: > 0 } seen)
                {
                    from = seen;
                }

                if (!onEvent(root))
                {
                    return;
                }
            }

            if (attempt >= 100)
            {
                throw new InvalidOperationException($"watch {path} ended 100 times before the benchmark saw what it waited for");
            }

            resumed?.Invoke($"watch {path} ended by the server; resumed from resourceVersion {from}");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[] body, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = JsonType;
        using var request = Http2.Request(method, path, content);
        return Http2.Checked(await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken));
    }
}
