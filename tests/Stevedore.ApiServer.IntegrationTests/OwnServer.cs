using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.Storage;

namespace Stevedore.ApiServer.IntegrationTests;

/// <summary>
/// An API server of one test's own over SQLite in <paramref name="dataDir"/>, for tests that need
/// their own settings or a restart over the same data. Disposing stops the server and closes the
/// store; the folder stays (the caller owns it).
/// </summary>
public sealed class OwnServer : IAsyncDisposable
{
    private readonly IStore _store;

    private OwnServer(IStore store, ApiServerHost host)
    {
        _store = store;
        Host = host;
        Client = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(60) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "own-token");
    }

    public ApiServerHost Host { get; }

    public HttpClient Client { get; }

    public static async Task<OwnServer> StartAsync(string dataDir, string serviceCidr = "10.43.0.0/16", string nodePorts = "30000-32767", IPAddress? clusterDns = null)
    {
        Directory.CreateDirectory(dataDir);
        var store = StoreFactory.Open("sqlite", dataDir);
        try
        {
            var host = await ApiServerHost.StartAsync(new ApiServerOptions
            {
                Store = store,
                Listen = new IPEndPoint(IPAddress.Loopback, 0),
                Authenticator = new BearerTokenAuthenticator([new StaticTokenAuthenticator([new StaticToken("own-token", new UserInfo("tester", null, []))])]),
                ServiceCidr = serviceCidr,
                ServiceNodePortRange = nodePorts,
                ClusterDnsService = clusterDns,
            }, CancellationToken.None);
            return new OwnServer(store, host);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    public async Task<(HttpStatusCode Code, JsonObject Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? [] : (JsonNode.Parse(text) as JsonObject ?? []));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        await _store.DisposeAsync();
    }
}
