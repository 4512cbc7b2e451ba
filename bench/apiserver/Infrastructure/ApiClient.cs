using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ApiServerBench.Infrastructure;

/// <summary>The few REST calls the benchmarks make, over one HTTP/2 client.</summary>
public sealed class ApiClient(HttpClient http)
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    public HttpClient Http { get; } = http;

    /// <summary>POSTs a JSON body; true on 201 Created. The response body is read in full, as a real client would.</summary>
    public async Task<bool> CreateAsync(string collectionPath, byte[] body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, collectionPath, body, cancellationToken);
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return response.StatusCode == HttpStatusCode.Created;
    }

    /// <summary>POSTs or PUTs a JSON body and returns the resourceVersion of the stored object.</summary>
    public async Task<string> WriteAsync(HttpMethod method, string path, byte[] body, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(method, path, body, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{method} {path}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(bytes)}");
        }

        using var document = JsonDocument.Parse(bytes);
        return document.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
    }

    /// <summary>GETs a path and reads the whole body; returns its length, or throws unless 200.</summary>
    public async Task<long> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var request = Http2.Request(HttpMethod.Get, path);
        using var response = Http2.Checked(await Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"GET {path}: {(int)response.StatusCode}");
        }

        return response.Content.Headers.ContentLength ?? (await response.Content.ReadAsByteArrayAsync(cancellationToken)).LongLength;
    }

    /// <summary>Creates a namespace; an existing one is fine.</summary>
    public async Task EnsureNamespaceAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/namespaces", Manifests.Namespace(name), cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.Conflict))
        {
            throw new HttpRequestException($"create namespace {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[] body, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = JsonType;
        using var request = Http2.Request(method, path, content);
        return Http2.Checked(await Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken));
    }
}
