using System.Net;

namespace ApiServerBench.Infrastructure;

/// <summary>
/// Every request the benchmark sends is HTTP/2. A hand-made <see cref="HttpRequestMessage"/>
/// defaults to HTTP/1.1 whatever the client's default version, and would silently open one
/// connection per concurrent request, so requests are made here and responses checked.
/// </summary>
public static class Http2
{
    public static HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null) => new(method, path)
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Content = content,
    };

    /// <summary>Throws unless the response came over HTTP/2.</summary>
    public static HttpResponseMessage Checked(HttpResponseMessage response)
    {
        if (response.Version != HttpVersion.Version20)
        {
            response.Dispose();
            throw new InvalidOperationException($"expected an HTTP/2 response, got HTTP/{response.Version}");
        }

        return response;
    }
}
